import { channelContract } from '../../contract/channel-contract.ts'
import { startFeishuHarness } from './harness.ts'

channelContract('feishu', startFeishuHarness)
