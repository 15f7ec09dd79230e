import type { ValueTransformer } from 'typeorm';

/**
 * Column conventions shared by every entity, chosen so that one set of migrations runs on both
 * MariaDB/MySQL and SQLite (STACK.md): statuses are short varchars checked in code rather than
 * native ENUMs (a new status needs no migration), JSON is `simple-json` text, times are `datetime` in UTC.
 */

/** mysql2 returns DECIMAL as a string, SQLite as a number: always hand the domain a number. */
export const decimalToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};

export const STATUS_LENGTH = 32;
export const USERID_LENGTH = 64;
export const EXTERNAL_ID_LENGTH = 64;
