/** Length of `s` in UTF-8 bytes: the unit WeCom and Feishu cards limit messages in. */
export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8')
