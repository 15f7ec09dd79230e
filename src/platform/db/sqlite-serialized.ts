import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

/**
 * One transaction at a time on SQLite.
 *
 * TypeORM's SQLite driver has one connection and hands every caller the same query runner. Two
 * transactions that overlap in time (two events handled at once, the webhook storing a callback
 * while a command writes) then share one SQLite transaction: the second BEGIN fails ("cannot start
 * a transaction within a transaction"), one side's COMMIT ends the other's transaction early, and a
 * ROLLBACK takes the other side's writes with it, a stored callback included. MariaDB gives each its
 * own pooled connection; here a transaction holds a gate from BEGIN to COMMIT/ROLLBACK, and a
 * statement outside any transaction waits for the gate, so it never lands in someone else's.
 *
 * Code running inside a transaction's callback that reaches the database without the callback's
 * manager (through the DataSource) joins that transaction instead of waiting for it forever: its
 * statements run in it, and a transaction it starts becomes a savepoint of it.
 */

/** Who holds the gate: one statement, or one transaction (with the async flow of its callback). */
interface Holder {
  readonly label: string;
  /** a flow's holder is taken by the first transaction begun in it; a later one in the same flow gets its own */
  claimed?: boolean;
}

/** A FIFO gate with an owner: `acquire` resolves once every earlier caller has released. */
class Gate {
  holder: Holder | undefined;
  private readonly waiting: Array<{ owner: Holder; resume: () => void }> = [];

  acquire(owner: Holder): Promise<void> {
    if (!this.holder) {
      this.holder = owner;
      return Promise.resolve();
    }
    return new Promise((resume) => this.waiting.push({ owner, resume }));
  }

  release(owner: Holder): void {
    if (this.holder !== owner) return;
    const next = this.waiting.shift();
    this.holder = next?.owner;
    next?.resume();
  }
}

/** Prepared statements per open connection (a DataSource destroyed and initialized again has a new one). */
const statementCaches = new WeakMap<object, Map<string, unknown>>();
function statementsOf(connection: object | undefined): Map<string, unknown> {
  if (!connection) return new Map();
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = new Map()));
  return cache;
}

/** Which transaction the current async flow runs inside (set around each top-level transaction's callback). */
const enclosing = new AsyncLocalStorage<Holder>();
let savepoints = 0;

class SerializedQueryRunner extends BetterSqlite3QueryRunner {
  /** the owner under which this runner holds the gate, from BEGIN to COMMIT/ROLLBACK */
  private owner: Holder | undefined;
  /** set when this runner's transaction is a savepoint inside the enclosing flow's transaction */
  private joinedSavepoint: string | undefined;

  constructor(
    driver: BetterSqlite3Driver,
    private readonly gate: Gate,
  ) {
    super(driver);
    // Prepared statements belong to the connection: share them among its runners instead of preparing per runner.
    (this as unknown as { stmtCache: Map<string, unknown> }).stmtCache = statementsOf(driver.databaseConnection);
  }

  /** Inside the callback of the transaction that holds the gate: run in it rather than wait for it. */
  private insideHolder(): boolean {
    const flow = enclosing.getStore();
    return flow !== undefined && this.gate.holder === flow;
  }

  // TypeORM's own signature (its overloads answer `any`).
  override async query(...args: Parameters<BetterSqlite3QueryRunner['query']>): ReturnType<BetterSqlite3QueryRunner['query']> {
    if (this.owner || this.joinedSavepoint || this.insideHolder()) return super.query(...args);
    const statement: Holder = { label: 'statement' };
    await this.gate.acquire(statement);
    try {
      return await super.query(...args);
    } finally {
      this.gate.release(statement);
    }
  }

  override async startTransaction(isolationLevel?: IsolationLevel): Promise<void> {
    if (this.isTransactionActive) return super.startTransaction(isolationLevel);
    if (this.insideHolder()) {
      this.joinedSavepoint = `joined_${(savepoints += 1)}`;
      await super.query(`SAVEPOINT ${this.joinedSavepoint}`);
      this.isTransactionActive = true;
      this.transactionDepth = 1;
      return;
    }
    const flow = enclosing.getStore();
    const owner = flow && !flow.claimed ? flow : { label: 'transaction' };
    owner.claimed = true;
    await this.gate.acquire(owner);
    this.owner = owner;
    try {
      await super.startTransaction(isolationLevel);
    } catch (error) {
      this.releaseGate();
      throw error;
    }
  }

  override async commitTransaction(): Promise<void> {
    if (this.joinedSavepoint && this.transactionDepth === 1) return this.endSavepoint(`RELEASE SAVEPOINT ${this.joinedSavepoint}`);
    await super.commitTransaction();
    if (!this.isTransactionActive) this.releaseGate();
  }

  override async rollbackTransaction(): Promise<void> {
    if (this.joinedSavepoint && this.transactionDepth === 1) {
      return this.endSavepoint(`ROLLBACK TO SAVEPOINT ${this.joinedSavepoint}`, `RELEASE SAVEPOINT ${this.joinedSavepoint}`);
    }
    const topLevel = this.transactionDepth <= 1;
    try {
      await super.rollbackTransaction();
    } finally {
      if (topLevel) this.releaseGate();
    }
  }

  /** A runner let go with its transaction still open (its COMMIT and ROLLBACK both failed) must not keep the gate. */
  override async release(): Promise<void> {
    if (this.owner && this.isTransactionActive) {
      try {
        await super.query('ROLLBACK');
      } catch {
        // the connection had already ended it
      }
      this.isTransactionActive = false;
      this.transactionDepth = 0;
    }
    this.releaseGate();
    return super.release();
  }

  private async endSavepoint(...statements: string[]): Promise<void> {
    try {
      for (const sql of statements) await super.query(sql);
    } finally {
      this.joinedSavepoint = undefined;
      this.isTransactionActive = false;
      this.transactionDepth = 0;
    }
  }

  private releaseGate(): void {
    if (!this.owner) return;
    const owner = this.owner;
    this.owner = undefined;
    this.gate.release(owner);
  }
}

/** Makes a better-sqlite3 DataSource run one transaction at a time (call before initialize()). */
export function serializeSqliteTransactions(dataSource: DataSource): void {
  const driver = dataSource.driver as BetterSqlite3Driver;
  const gate = new Gate();
  driver.createQueryRunner = () => new SerializedQueryRunner(driver, gate);

  // Mark the flow of each top-level transaction, so what its callback does is recognised as its own.
  const manager: EntityManager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  (manager as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    const flow = enclosing.getStore();
    if (flow && gate.holder === flow) return transaction(...args);
    return enclosing.run({ label: 'transaction' }, () => transaction(...args));
  };
}
