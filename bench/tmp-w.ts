import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(process.argv[2]);
const con = await inst.connect();
await con.run(`CREATE OR REPLACE TABLE ad3 AS SELECT d.*, k.account_key FROM derived_account_days d JOIN (SELECT account_id, (row_number() OVER ())::INTEGER AS account_key FROM accounts) k USING (account_id)`);
await con.run(`CREATE OR REPLACE TABLE ad4 AS SELECT (row_number() OVER ())::INTEGER AS account_key, account_id FROM accounts`);
