import { channelContract } from '../../contract/channel-contract.ts'
import { startFeishuWebhookHarness } from './harness.ts'

channelContract('feishu', startFeishuWebhookHarness, {
  skip: {
    'dropped connection':
      'a webhook holds no connection; a refused delivery pushed again is in feishu-webhook-platform.test.ts',
  },
})
