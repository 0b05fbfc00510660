/**
 * Writes an import file of N rows (default 100 000) for `certsvc import`, to measure throughput
 * and memory: every row a new holder (display_name given, so they become peer mentors), the type
 * by name, issued on a back-dated day.
 *
 *   npx tsx bench/gen-import-csv.ts 100000 > /tmp/import-100k.csv
 *   npm run certsvc -- import /tmp/import-100k.csv --org NHF --type-name ...
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";

const rows = Number(process.argv[2] ?? 100_000);
const typeName = process.argv[3] ?? "Likepersonkurs grunnkurs";
const out = process.stdout;
const write = async (line: string) => {
  if (!out.write(line)) await once(out, "drain");
};

await write("user_id,display_name,certification_type,issued_at,expires_at,notes\n");
const start = Date.UTC(2019, 0, 1);
for (let index = 0; index < rows; index++) {
  const issued = new Date(start + (index % 2000) * 86_400_000).toISOString().slice(0, 10);
  await write(`${randomUUID()},Mentor ${index + 1},${typeName},${issued},,imported from paper\n`);
}
