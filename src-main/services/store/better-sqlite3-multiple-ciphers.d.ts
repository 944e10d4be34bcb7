/**
 * The driver ships typings, but its package.json "exports" map has no "types" entry, so TypeScript's
 * Bundler resolution cannot find them. This declares the part of its API the store uses, copied from
 * the package's own index.d.ts (v13).
 */
declare module 'better-sqlite3-multiple-ciphers' {
  namespace Database {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Options {
      readonly?: boolean | undefined;
      fileMustExist?: boolean | undefined;
      timeout?: number | undefined;
    }
    interface PragmaOptions {
      simple?: boolean | undefined;
    }
    interface Statement<BindParameters extends unknown[], Result = unknown> {
      run(...params: BindParameters): RunResult;
      get(...params: BindParameters): Result | undefined;
      all(...params: BindParameters): Result[];
    }
    interface Transaction<F extends (...args: never[]) => unknown> {
      (...params: Parameters<F>): ReturnType<F>;
      deferred(...params: Parameters<F>): ReturnType<F>;
      immediate(...params: Parameters<F>): ReturnType<F>;
      exclusive(...params: Parameters<F>): ReturnType<F>;
    }
    interface Database {
      readonly open: boolean;
      readonly inTransaction: boolean;
      readonly name: string;
      // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- mirrors the package's own typing
      prepare<BindParameters extends unknown[] | {} = unknown[], Result = unknown>(
        source: string,
      ): BindParameters extends unknown[]
        ? Statement<BindParameters, Result>
        : Statement<[BindParameters], Result>;
      transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
      exec(source: string): this;
      pragma(source: string, options?: PragmaOptions): unknown;
      close(): this;
    }
  }
  const Database: new (filename: string, options?: Database.Options) => Database.Database;
  export = Database;
}
