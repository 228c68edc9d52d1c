import { channelContract } from '../../contract/channel-contract.ts'
import { startSlackHarness } from './harness.ts'

channelContract('slack', startSlackHarness, {
  skip: { typing: 'Slack has no typing indicator for bots outside the legacy RTM API' },
})
