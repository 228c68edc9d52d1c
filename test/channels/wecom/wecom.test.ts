import { channelContract } from '../../contract/channel-contract.ts'
import { startWecomHarness } from './harness.ts'

channelContract('wecom', startWecomHarness, {
  skip: {
    'inbound group without mention':
      'WeCom calls an AI bot in a group only when it is @-mentioned; other group text never reaches ngb',
  },
})
