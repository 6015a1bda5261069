import cliProgress from 'cli-progress';
import path from 'node:path';
import { replaySegment } from '../lib/server/sources/segment/replay.js';
import { generate, type GenerateResult } from '../lib/server/generate/generate.js';
import { CliError, type Output } from './output.js';

/** Options of `adoption generate`. */
export interface GenerateOpts {
	out: string;
	accounts?: string;
	seed?: string;
	asOf?: string;
	formats?: string;
	/** A tracking API's base URL: the generated Segment calls are sent to it. */
	stream?: string;
	writeKey?: string;
	rate?: string;
}

/** `adoption generate --out DIR [--accounts N] [--seed S] [--as-of DATE] [--formats parquet,jsonl]`. */
export async function generateCommand(opts: GenerateOpts, out: Output): Promise<GenerateResult> {
	const rate = opts.rate === undefined ? undefined : Number(opts.rate);
	if (rate !== undefined && !(rate > 0)) throw new CliError(`--rate must be a number of calls a second above 0, not '${opts.rate}'`, 2);
	const writeKey = opts.writeKey ?? process.env.ADOPTION_WRITE_KEY;
	if (opts.stream !== undefined) {
		if (!URL.canParse(opts.stream) || !/^https?:/.test(opts.stream))
			throw new CliError(`--stream must be the app's URL, such as http://127.0.0.1:3000, not '${opts.stream}'`, 2);
		if (!writeKey)
			throw new CliError(
				"--stream needs the Segment source's --write-key (or ADOPTION_WRITE_KEY): adoption sources add segment --name NAME",
				2
			);
	}
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
	if (opts.stream !== undefined) {
		const streamed = await streamCalls(path.join(result.out, 'segment.jsonl'), { url: opts.stream, writeKey: writeKey!, rate }, out);
		out.result({ ...result, streamed });
		return result;
	}
	out.result(result);
	return result;
}

/** Sends a file of Segment calls to a tracking API, with a progress bar; what `--stream` does after generating. */
export async function streamCalls(file: string, options: { url: string; writeKey: string; rate?: number }, out: Output) {
	const bar =
		!out.json && process.stdout.isTTY
			? new cliProgress.SingleBar(
					{ format: '{bar} {value}/{total} calls sent to {url}', hideCursor: true },
					cliProgress.Presets.shades_classic
				)
			: undefined;
	out.info(`Sending the Segment calls of ${file} to ${options.url}/v1/batch${options.rate ? ` at ${options.rate} a second` : ''}…`);
	try {
		const r = await replaySegment(file, {
			...options,
			onProgress: (sent, total) => {
				if (!bar) return;
				if (sent <= 500) bar.start(total, 0, { url: options.url });
				bar.update(sent, { url: options.url });
			}
		});
		bar?.stop();
		out.info(
			`Sent ${r.calls.toLocaleString('en-US')} calls in ${r.requests.toLocaleString('en-US')} requests (${r.seconds.toFixed(1)} s).`
		);
		return r;
	} catch (err) {
		bar?.stop();
		throw new CliError((err as Error).message);
	}
}
