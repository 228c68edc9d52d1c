import { channelContract } from '../../contract/channel-contract.ts'
import { startTelegramHarness } from './harness.ts'

channelContract('telegram', () => startTelegramHarness({ webhook: true }), {
  skip: {
    'dropped connection':
      'webhook mode holds no connection; Telegram redelivers a failed POST (telegram-webhook-platform.test.ts)',
  },
})
