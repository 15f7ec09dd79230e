import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { bool, createdAt, datetime, decimal, foreignKey, id, index, int, isMysqlFamily, text, updatedAt, varchar } from './schema-helpers';

const USERID = 64;
const STATUS = 32;

/** The first schema: the whole domain model (PRODUCT.md); later changes come as new migrations. */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    if (isMysqlFamily(q)) {
      // Chinese names and emoji need utf8mb4, and TypeORM does not set a table charset: make it the
      // database default before any table exists.
      await q.query('ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    }

    await q.createTable(
      new Table({
        name: 'teams',
        columns: [
          id(),
          varchar('name', 64),
          varchar('lead_userid', USERID, { nullable: true }),
          varchar('robot_webhook_url', 512, { nullable: true }),
          varchar('app_chat_id', 64, { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('uq_teams_name', ['name'], true)],
      }),
    );

    await q.createTable(
      new Table({
        name: 'staff',
        columns: [
          id(),
          varchar('userid', USERID),
          varchar('wecom_userid', USERID),
          varchar('name', 128, { nullable: true }),
          int('team_id', { nullable: true }),
          bool('active', true),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('uq_staff_userid', ['userid'], true), index('idx_staff_team', ['team_id'])],
      }),
    );

    await q.createTable(
      new Table({
        name: 'customers',
        columns: [
          id(),
          varchar('external_userid', 64, { nullable: true }),
          varchar('name', 128),
          varchar('avatar', 512, { nullable: true }),
          int('wecom_type', { nullable: true }),
          int('gender', { default: 0 }),
          varchar('corp_name', 128, { nullable: true }),
          varchar('corp_full_name', 256, { nullable: true }),
          varchar('position', 128, { nullable: true }),
          varchar('unionid', 64, { nullable: true }),
          varchar('stage', STATUS, { default: 'lead' }),
          datetime('stage_changed_at', { nullable: true }),
          datetime('last_contact_at', { nullable: true }),
          bool('do_not_contact', false),
          varchar('do_not_contact_reason', 256, { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [
          index('uq_customers_external_userid', ['external_userid'], true),
          index('idx_customers_name', ['name']),
          index('idx_customers_stage', ['stage']),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'customer_relations',
        columns: [
          id(),
          int('customer_id'),
          varchar('staff_userid', USERID),
          varchar('remark', 64, { nullable: true }),
          varchar('description', 512, { nullable: true }),
          text('remark_mobiles', { nullable: true }),
          varchar('remark_corp_name', 128, { nullable: true }),
          varchar('state', 64, { nullable: true }),
          int('add_way', { nullable: true }),
          varchar('oper_userid', USERID, { nullable: true }),
          datetime('added_at', { nullable: true }),
          varchar('status', STATUS, { default: 'active' }),
          datetime('ended_at', { nullable: true }),
          varchar('end_reason', 128, { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [
          index('uq_customer_relations_customer_staff', ['customer_id', 'staff_userid'], true),
          index('idx_customer_relations_staff', ['staff_userid']),
          index('idx_customer_relations_state', ['state']),
          index('idx_customer_relations_status', ['status']),
        ],
        foreignKeys: [foreignKey('fk_customer_relations_customer', 'customer_id', 'customers')],
      }),
    );

    await q.createTable(
      new Table({
        name: 'tags',
        columns: [
          id(),
          varchar('wecom_tag_id', 64, { nullable: true }),
          varchar('name', 64),
          varchar('wecom_group_id', 64, { nullable: true }),
          varchar('group_name', 64, { default: '' }),
          varchar('origin', STATUS, { default: 'local' }),
          int('sort_order', { default: 0 }),
          bool('deleted', false),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('uq_tags_wecom_tag_id', ['wecom_tag_id'], true), index('uq_tags_group_name', ['group_name', 'name', 'origin'], true)],
      }),
    );

    await q.createTable(
      new Table({
        name: 'customer_tags',
        columns: [id(), int('customer_id'), int('tag_id'), varchar('source', STATUS), varchar('added_by', USERID, { nullable: true }), createdAt(q)],
        indices: [index('uq_customer_tags_customer_tag', ['customer_id', 'tag_id'], true), index('idx_customer_tags_tag', ['tag_id'])],
        foreignKeys: [foreignKey('fk_customer_tags_customer', 'customer_id', 'customers'), foreignKey('fk_customer_tags_tag', 'tag_id', 'tags')],
      }),
    );

    await q.createTable(
      new Table({
        name: 'follow_ups',
        columns: [
          id(),
          int('customer_id'),
          varchar('staff_userid', USERID),
          text('content'),
          datetime('next_contact_at', { nullable: true }),
          varchar('source_key', 128, { nullable: true }),
          createdAt(q),
        ],
        indices: [
          index('idx_follow_ups_customer_created', ['customer_id', 'created_at']),
          index('idx_follow_ups_staff_created', ['staff_userid', 'created_at']),
          index('uq_follow_ups_source_key', ['source_key'], true),
        ],
        foreignKeys: [foreignKey('fk_follow_ups_customer', 'customer_id', 'customers')],
      }),
    );

    await q.createTable(
      new Table({
        name: 'stage_changes',
        columns: [
          id(),
          int('customer_id'),
          varchar('from_stage', STATUS, { nullable: true }),
          varchar('to_stage', STATUS),
          varchar('staff_userid', USERID, { nullable: true }),
          varchar('source_key', 128, { nullable: true }),
          createdAt(q),
        ],
        indices: [
          index('idx_stage_changes_customer_created', ['customer_id', 'created_at']),
          index('idx_stage_changes_to_stage', ['to_stage']),
          index('uq_stage_changes_source_key', ['source_key'], true),
        ],
        foreignKeys: [foreignKey('fk_stage_changes_customer', 'customer_id', 'customers')],
      }),
    );

    await q.createTable(
      new Table({
        name: 'opportunities',
        columns: [
          id(),
          int('customer_id'),
          varchar('staff_userid', USERID),
          decimal('amount', 14, 2),
          int('probability', { nullable: true }),
          datetime('expected_close_at', { nullable: true }),
          varchar('status', STATUS, { default: 'open' }),
          varchar('source_key', 128, { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [
          index('idx_opportunities_customer', ['customer_id']),
          index('idx_opportunities_status', ['status']),
          index('uq_opportunities_source_key', ['source_key'], true),
        ],
        foreignKeys: [foreignKey('fk_opportunities_customer', 'customer_id', 'customers')],
      }),
    );

    await q.createTable(
      new Table({
        name: 'reminders',
        columns: [
          id(),
          varchar('staff_userid', USERID),
          int('customer_id', { nullable: true }),
          varchar('content', 512),
          datetime('due_at'),
          varchar('status', STATUS, { default: 'pending' }),
          datetime('fired_at', { nullable: true }),
          datetime('done_at', { nullable: true }),
          datetime('escalated_at', { nullable: true }),
          int('snooze_count', { default: 0 }),
          varchar('source_key', 128, { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [
          index('idx_reminders_staff_status_due', ['staff_userid', 'status', 'due_at']),
          index('idx_reminders_status_due', ['status', 'due_at']),
          index('idx_reminders_customer', ['customer_id']),
          index('uq_reminders_source_key', ['source_key'], true),
        ],
        foreignKeys: [foreignKey('fk_reminders_customer', 'customer_id', 'customers')],
      }),
    );

    await q.createTable(
      new Table({
        name: 'inbound_events',
        columns: [
          id(),
          varchar('dedupe_key', 191),
          varchar('kind', 96),
          varchar('from_user', USERID),
          varchar('create_time', 16),
          text('payload'),
          varchar('status', STATUS, { default: 'received' }),
          int('attempts', { default: 0 }),
          int('redeliveries', { default: 0 }),
          text('last_error', { nullable: true }),
          datetime('processed_at', { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [
          index('uq_inbound_events_dedupe_key', ['dedupe_key'], true),
          index('idx_inbound_events_kind', ['kind']),
          index('idx_inbound_events_status_updated', ['status', 'updated_at']),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'outbound_messages',
        columns: [
          id(),
          varchar('idempotency_key', 191),
          varchar('channel', STATUS),
          varchar('recipient', 191),
          varchar('kind', STATUS),
          bool('urgent', false),
          text('payload'),
          varchar('status', STATUS, { default: 'queued' }),
          int('errcode', { nullable: true }),
          varchar('errmsg', 512, { nullable: true }),
          varchar('wecom_msgid', 128, { nullable: true }),
          int('attempts', { default: 0 }),
          datetime('not_before', { nullable: true }),
          datetime('sent_at', { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [
          index('uq_outbound_messages_idempotency_key', ['idempotency_key'], true),
          index('idx_outbound_messages_recipient_created', ['recipient', 'created_at']),
          index('idx_outbound_messages_status_created', ['status', 'created_at']),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'customer_groups',
        columns: [
          id(),
          varchar('chat_id', 64),
          varchar('name', 128, { nullable: true }),
          varchar('owner_userid', USERID, { nullable: true }),
          text('notice', { nullable: true }),
          varchar('status', STATUS, { default: 'active' }),
          datetime('wecom_created_at', { nullable: true }),
          datetime('dismissed_at', { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('uq_customer_groups_chat_id', ['chat_id'], true), index('idx_customer_groups_owner', ['owner_userid'])],
      }),
    );

    await q.createTable(
      new Table({
        name: 'customer_group_members',
        columns: [
          id(),
          int('group_id'),
          varchar('member_id', USERID),
          int('member_type'),
          varchar('unionid', 64, { nullable: true }),
          varchar('group_nickname', 128, { nullable: true }),
          varchar('name', 128, { nullable: true }),
          int('join_scene', { nullable: true }),
          varchar('invitor_userid', USERID, { nullable: true }),
          datetime('joined_at', { nullable: true }),
        ],
        indices: [index('uq_customer_group_members_group_member', ['group_id', 'member_id'], true), index('idx_customer_group_members_member', ['member_id'])],
        foreignKeys: [foreignKey('fk_customer_group_members_group', 'group_id', 'customer_groups')],
      }),
    );

    await q.createTable(
      new Table({
        name: 'audit_logs',
        columns: [
          id(),
          varchar('actor', USERID),
          varchar('action', 64),
          varchar('target_type', 32),
          varchar('target_id', 64),
          text('detail', { nullable: true }),
          varchar('source_key', 191, { nullable: true }),
          createdAt(q),
        ],
        indices: [index('idx_audit_logs_target', ['target_type', 'target_id', 'created_at']), index('idx_audit_logs_action', ['action'])],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_logs',
      'customer_group_members',
      'customer_groups',
      'outbound_messages',
      'inbound_events',
      'reminders',
      'opportunities',
      'stage_changes',
      'follow_ups',
      'customer_tags',
      'tags',
      'customer_relations',
      'customers',
      'staff',
      'teams',
    ]) {
      await q.dropTable(table);
    }
  }
}
