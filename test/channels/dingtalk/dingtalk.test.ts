import { channelContract } from '../../contract/channel-contract.ts'
import { startDingTalkHarness } from './harness.ts'

channelContract('dingtalk', startDingTalkHarness, {
  skip: { typing: 'DingTalk robots have no typing indicator' },
})
