import { channelContract } from '../../contract/channel-contract.ts'
import { startDiscordHarness } from './harness.ts'

channelContract('discord', startDiscordHarness)
