import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';
import { createdAt, id, index, int, updatedAt, varchar } from './schema-helpers';

const USERID = 64;
const STATUS = 32;

/**
 * The smart bot (智能机器人) in team groups (issue 17): the group a team is bound to
 * (`teams.bot_chat_id`, from templates/teams.json or `@bot 绑定 <团队名>`), the cards the bot posted
 * with buttons (`group_cards`, one per task_id, with what became of it) and the clicks that acted
 * (`group_card_clicks`: unique per card, button and clicker, so a redelivered or repeated click acts once).
 */
export class GroupBot1764470000000 implements MigrationInterface {
  name = 'GroupBot1764470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('teams', new TableColumn(varchar('bot_chat_id', 64, { nullable: true })));
    await q.createTable(
      new Table({
        name: 'group_cards',
        columns: [
          id(),
          varchar('task_id', 128),
          varchar('post_key', 191),
          varchar('chat_id', 64),
          varchar('kind', STATUS),
          int('subject_id'),
          varchar('owner_userid', USERID),
          int('team_id', { nullable: true }),
          varchar('state', STATUS),
          varchar('outcome', 255, { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [
          index('uq_group_cards_task_id', ['task_id'], true),
          index('uq_group_cards_post_key', ['post_key'], true),
          index('idx_group_cards_subject', ['kind', 'subject_id']),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'group_card_clicks',
        columns: [
          id(),
          int('card_id'),
          varchar('button', STATUS),
          varchar('clicker', USERID),
          varchar('source_key', 191),
          varchar('outcome', 255, { nullable: true }),
          createdAt(q),
        ],
        indices: [index('uq_group_card_clicks_once', ['card_id', 'button', 'clicker'], true)],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('group_card_clicks');
    await q.dropTable('group_cards');
    await q.dropColumn('teams', 'bot_chat_id');
  }
}
