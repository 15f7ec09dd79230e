/** What other modules (and the composition root) may use of the smart bot's group work. */
export { groupBotModule } from './group-bot.module';
