import { channelContract } from '../../contract/channel-contract.ts'
import { startQqHarness } from './harness.ts'

channelContract('qq', () => startQqHarness(), {
  passiveReplies: true,
  skip: {
    'inbound group without mention': 'QQ delivers only @-messages to group bots (GROUP_AT_MESSAGE_CREATE)',
    typing: "QQ's C2C input notice is undocumented; not used",
  },
})
