import cliProgress from 'cli-progress';
import { generate, type GenerateResult } from '../lib/server/generate/generate.js';
import { CliError, type Output } from './output.js';

/** Options of `adoption generate`. */
export interface GenerateOpts {
	out: string;
	accounts?: string;
	seed?: string;
	asOf?: string;
	formats?: string;
}

/** `adoption generate --out DIR [--accounts N] [--seed S] [--as-of DATE] [--formats parquet,jsonl]`. */
export async function generateCommand(opts: GenerateOpts, out: Output): Promise<GenerateResult> {
	const formats = opts.formats?.split(',').map((f) => f.trim().toLowerCase());
	if (formats?.some((f) => f !== 'parquet' && f !== 'jsonl')) {
		throw new CliError(`--formats lists the events' formats: parquet and/or jsonl, not '${opts.formats}'`, 2);
	}
	const bar =
		!out.json && process.stdout.isTTY
			? new cliProgress.SingleBar(
					{ format: '{bar} {value}/{total} {step}', hideCursor: true, clearOnComplete: true },
					cliProgress.Presets.shades_classic
				)
			: undefined;
	let result: GenerateResult;
	try {
		result = await generate({
			out: opts.out,
			accounts: opts.accounts === undefined ? undefined : Number(opts.accounts),
			seed: opts.seed === undefined ? undefined : Number(opts.seed),
			asOf: opts.asOf,
			eventsJsonl: formats ? formats.includes('jsonl') : undefined,
			onStep: (step, i, total) => {
				if (bar) {
					if (i === 0) bar.start(total, 0, { step });
					bar.update(i, { step });
				} else out.info(`${step}…`);
			}
		});
	} catch (err) {
		throw new CliError((err as Error).message);
	} finally {
		bar?.stop();
	}
	for (const f of result.files) out.info(`  ${f.file}  ${f.rows.toLocaleString('en-US')} records`);
	out.info(
		`Generated ${result.accounts.toLocaleString('en-US')} accounts (seed ${result.seed}, as of ${result.as_of}) in ${result.seconds.toFixed(1)} s → ${result.out}`
	);
	out.result(result);
	return result;
}
