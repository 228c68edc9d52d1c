import { channelContract } from '../../contract/channel-contract.ts'
import { startTelegramHarness } from './harness.ts'

channelContract('telegram', startTelegramHarness)
