import type { DataSource } from 'typeorm';

/**
 * Creation times to the millisecond on SQLite, as MariaDB keeps them to the microsecond.
 *
 * TypeORM writes a `@CreateDateColumn` on SQLite with `datetime('now')`, whole seconds: a number
 * typed within the second its list was shown could not be told to come after it (the bot then asks
 * for the command again), and rows created in one second had no order by time. strftime's `%f`
 * gives `YYYY-MM-DD HH:MM:SS.SSS`, the UTC format TypeORM writes and reads for every other date.
 * Call before initialize(), which builds the entity metadata from the driver's defaults.
 */
export function sqliteMillisecondTimestamps(dataSource: DataSource): void {
  dataSource.driver.mappedDataTypes.createDateDefault = "strftime('%Y-%m-%d %H:%M:%f', 'now')";
}
