import { channelContract } from '../../contract/channel-contract.ts'
import { startWecomAppHarness } from './harness.ts'

const singleChatsOnly = 'a self-built app is called back for single chats only; groups need the AI bot mode'

channelContract('wecom-app', startWecomAppHarness, {
  skip: {
    'inbound group mention': singleChatsOnly,
    'inbound group without mention': singleChatsOnly,
    'dropped connection':
      'a callback holds no connection; a refused delivery retried by WeCom is in wecom-app-platform.test.ts',
    typing: 'a WeCom app has no typing indicator',
  },
})
