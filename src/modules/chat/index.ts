/** What other modules (and bots/) may use of chat. */
export { chatModule } from './chat.module';
export { RedisConversationStore } from './redis-conversation.store';
export { sendReply, toAppMessage } from './app-message';
