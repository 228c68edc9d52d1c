import { channelContract } from '../../contract/channel-contract.ts'
import { startWhatsAppHarness } from './harness.ts'

channelContract('whatsapp', startWhatsAppHarness, {
  skip: {
    'dropped connection':
      'webhooks hold no connection; a failed delivery retried by Meta is covered in whatsapp-platform.test.ts',
  },
})
