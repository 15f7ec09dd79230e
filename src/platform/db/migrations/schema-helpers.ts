import type { QueryRunner, TableColumnOptions, TableForeignKeyOptions, TableIndexOptions } from 'typeorm';

/**
 * Column builders for migrations that run unchanged on MariaDB/MySQL and SQLite. Migrations use the
 * query runner's schema API (never raw DDL) so that one file serves both dialects; the only
 * dialect-specific bit is the expression for "now" in timestamp defaults.
 */

export function isMysqlFamily(queryRunner: QueryRunner): boolean {
  const type = queryRunner.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}

/** TypeORM's create/update date columns are microsecond-precise on MySQL; SQLite keeps text. */
function timestampColumn(queryRunner: QueryRunner, name: string, touchOnUpdate: boolean): TableColumnOptions {
  if (!isMysqlFamily(queryRunner)) return { name, type: 'datetime', isNullable: false, default: "datetime('now')" };
  return {
    name,
    type: 'datetime',
    precision: 6,
    isNullable: false,
    default: 'CURRENT_TIMESTAMP(6)',
    ...(touchOnUpdate ? { onUpdate: 'CURRENT_TIMESTAMP(6)' } : {}),
  };
}

export const id = (): TableColumnOptions => ({
  name: 'id',
  // 'integer' is what SQLite needs for an autoincrement key; MySQL reads it as int.
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});

export const varchar = (name: string, length: number, opts: { nullable?: boolean; default?: string } = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: opts.nullable ?? false,
  ...(opts.default !== undefined ? { default: `'${opts.default}'` } : {}),
});

export const int = (name: string, opts: { nullable?: boolean; default?: number } = {}): TableColumnOptions => ({
  name,
  type: 'int',
  isNullable: opts.nullable ?? false,
  ...(opts.default !== undefined ? { default: String(opts.default) } : {}),
});

export const bool = (name: string, defaultValue: boolean): TableColumnOptions => ({
  name,
  type: 'boolean',
  isNullable: false,
  default: defaultValue ? '1' : '0',
});

/** `text` also holds `simple-json` columns. */
export const text = (name: string, opts: { nullable?: boolean } = {}): TableColumnOptions => ({
  name,
  type: 'text',
  isNullable: opts.nullable ?? false,
});

export const datetime = (name: string, opts: { nullable?: boolean } = {}): TableColumnOptions => ({
  name,
  type: 'datetime',
  isNullable: opts.nullable ?? false,
});

export const decimal = (name: string, precision: number, scale: number): TableColumnOptions => ({
  name,
  type: 'decimal',
  precision,
  scale,
  isNullable: false,
});

export const createdAt = (queryRunner: QueryRunner): TableColumnOptions => timestampColumn(queryRunner, 'created_at', false);

export const updatedAt = (queryRunner: QueryRunner): TableColumnOptions => timestampColumn(queryRunner, 'updated_at', true);

export const index = (name: string, columnNames: string[], unique = false): TableIndexOptions => ({
  name,
  columnNames,
  isUnique: unique,
});

export const foreignKey = (name: string, column: string, referencedTableName: string): TableForeignKeyOptions => ({
  name,
  columnNames: [column],
  referencedTableName,
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
  onUpdate: 'NO ACTION',
});
