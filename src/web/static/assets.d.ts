/** Imported `with { type: 'text' }`: the stylesheet's content. */
declare module '*.css' {
  const content: string
  export default content
}
declare module 'htmx.org/dist/htmx.min.js' {
  const path: string
  export default path
}
declare module 'htmx.org/dist/ext/hx-ws.min.js' {
  const path: string
  export default path
}
declare module '*.js' {
  const content: string
  export default content
}
