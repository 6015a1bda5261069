import path from 'node:path';
import { trainClassifier, type ClassifierKind } from '../core/classifier.js';
import { saveModel } from '../store.js';
import { planColumns, type DroppedColumn } from './columns.js';
import { crossValidate, type FoldResult } from './crossval.js';
import { fitEncoder, type ColumnEncoding, type EncodedColumn } from './encode.js';
import { parseLabel } from './label.js';
import { readTextTable } from './read.js';

/** Options of {@link trainOnFeatureFile}. */
export interface FeatureFileOptions {
	/** A CSV (with a header) or Parquet file, one row per account. */
	file: string;
	/** The two-valued label column. */
	label: string;
	/** An identifier column to leave out (identifier-like columns are dropped anyway). */
	id?: string;
	/** Default 42. */
	seed?: number;
	/** Default 5. */
	folds?: number;
	/** Models folder (default `models/`, or `ADOPTION_MODELS`). */
	root?: string;
	onProgress?: (message: string) => void;
}

/** What `adoption train --features` reports. Means are over the folds' held-out scores. */
export interface FeatureFileReport {
	file: string;
	label: string;
	/** Mean held-out ROC AUC over the folds, and its standard deviation across folds (n − 1). */
	auc: number;
	auc_sd: number;
	pr_auc: number;
	brier: number;
	folds: FoldResult[];
	/** The kind of the saved model (fitted on every row), and why it was chosen; each fold's choice is in `folds`. */
	model: ClassifierKind;
	selection: string;
	seed: number;
	/** Rows used (with a label) and how many of them are positive. */
	rows: number;
	positives: number;
	/** Rows left out because their label was blank. */
	rows_without_label: number;
	label_values: { positive: string; negative: string };
	/** Encoded feature names, as fitted on all rows (each fold refits on its own training part). */
	features: string[];
	dropped: DroppedColumn[];
	encoded: EncodedColumn[];
	/** Blank cells of numeric and boolean columns, replaced by the training median. */
	missing_imputed: { column: string; count: number }[];
	/** Where the model fitted on all rows was saved: `models/<name>/<version>/`. */
	saved: { name: string; version: string; dir: string };
}

/**
 * What a feature-file model's metadata.json holds (`encoding` and `reference` are absent in older models).
 * A type, not an interface, so it is a plain record as saveModel takes.
 */
export type FeatureModelMetadata = {
	source: string;
	label: string;
	id: string | null;
	label_values: { positive: string; negative: string };
	encoded: EncodedColumn[];
	/** How to encode new rows (see `encoderFor`). */
	encoding: ColumnEncoding[];
	/** Sorted cross-validated held-out probabilities, thinned to at most {@link REFERENCE_SIZE}: what a new score's percentile is read against. */
	reference: number[];
	dropped: DroppedColumn[];
	seed: number;
	created_at: string;
};

/** At most this many reference quantiles (0, 0.1 %, …, 100 %): percentiles to a tenth, whatever the rows. */
const REFERENCE_SIZE = 1001;

/** The sorted probabilities, or {@link REFERENCE_SIZE} evenly spaced quantiles of them when there are more. */
function referenceQuantiles(p: Float64Array): number[] {
	const sorted = Array.from(p.slice().sort());
	if (sorted.length <= REFERENCE_SIZE) return sorted;
	return Array.from({ length: REFERENCE_SIZE }, (_, k) => sorted[Math.round((k * (sorted.length - 1)) / (REFERENCE_SIZE - 1))]);
}

/** The saved model's name: `features-` + the file's name without its extension, in lower kebab case. */
export function featureModelName(file: string): string {
	const stem = path.basename(file).replace(/\.[^.]+$/, '');
	return `features-${stem.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

function mean(xs: number[]): number {
	return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function sampleSd(xs: number[]): number {
	if (xs.length < 2) return 0;
	const m = mean(xs);
	return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Trains and evaluates on a user's own feature table: reads it (readTextTable), reads the label
 * (parseLabel), types and drops columns (planColumns), then runs stratified k-fold cross-validation
 * (crossValidate) with a fixed seed, and saves a model fitted on every row under
 * `models/features-<file name>/<version>/` with that evaluation, and in its metadata what scoring new rows
 * needs (scoreFeatureFile): the encoding and the held-out probabilities as the percentile reference.
 * Errors name the file and the column.
 */
export async function trainOnFeatureFile(opts: FeatureFileOptions): Promise<FeatureFileReport> {
	const seed = opts.seed ?? 42;
	const k = opts.folds ?? 5;
	const table = await readTextTable(opts.file);
	opts.onProgress?.(`${opts.file}: ${table.rows} rows × ${table.columns.length} columns`);
	const labelIndex = table.columns.indexOf(opts.label);
	if (labelIndex < 0) throw new Error(`label column "${opts.label}" is not in ${opts.file}; its columns are: ${table.columns.join(', ')}`);
	if (opts.id !== undefined && !table.columns.includes(opts.id)) {
		throw new Error(`id column "${opts.id}" is not in ${opts.file}; its columns are: ${table.columns.join(', ')}`);
	}
	const label = parseLabel(table.values[labelIndex], opts.label, opts.file);
	const rows = label.y.flatMap((v, r) => (v === null ? [] : [r]));
	const y = rows.map((r) => label.y[r] as number);
	const positives = y.reduce((s, v) => s + v, 0);
	if (positives < k || rows.length - positives < k) {
		throw new Error(`${opts.file}: ${k}-fold cross-validation needs at least ${k} rows of each label value, found ${positives} "${label.positive}" and ${rows.length - positives} "${label.negative}"`);
	}
	const { plans, dropped } = planColumns(table, rows, opts.label, opts.id);
	if (!plans.length) throw new Error(`${opts.file} has no usable feature columns (${dropped.map((d) => `${d.column}: ${d.reason}`).join('; ')})`);
	const whole = fitEncoder(table, plans, rows);
	const imputed = whole.transform(rows).imputed;
	const { folds, predictions } = await crossValidate(table, plans, rows, y, { folds: k, seed, onProgress: opts.onProgress });
	const aucs = folds.map((f) => f.auc);
	// The model to keep is fitted on every row; the cross-validation is its evaluation.
	opts.onProgress?.('fitting the final model on all rows');
	const final = await trainClassifier(whole.transform(rows).X, y, whole.features, { seed });
	const report: Omit<FeatureFileReport, 'saved'> = {
		file: opts.file,
		label: opts.label,
		auc: mean(aucs),
		auc_sd: sampleSd(aucs),
		pr_auc: mean(folds.map((f) => f.pr_auc)),
		brier: mean(folds.map((f) => f.brier)),
		folds,
		model: final.artifact.kind,
		selection: final.artifact.selection ?? '',
		seed,
		rows: rows.length,
		positives,
		rows_without_label: label.missing,
		label_values: { positive: label.positive, negative: label.negative },
		features: whole.features,
		dropped,
		encoded: whole.encoded,
		missing_imputed: [...imputed.entries()].map(([column, count]) => ({ column, count }))
	};
	const name = featureModelName(opts.file);
	const metadata: FeatureModelMetadata = {
		source: opts.file,
		label: opts.label,
		id: opts.id ?? null,
		label_values: report.label_values,
		encoded: whole.encoded,
		encoding: whole.encoding,
		// Held-out rather than the final model's own (optimistic) training scores: what new rows will look like.
		reference: referenceQuantiles(predictions),
		dropped,
		seed,
		created_at: new Date().toISOString()
	};
	const { version, dir } = saveModel(
		name,
		{ model: final.artifact, features: whole.features, scaling: final.artifact.scaling, metadata, evaluation: report },
		opts.root
	);
	return { ...report, saved: { name, version, dir } };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/**
 * A short human-readable summary of {@link FeatureFileReport} for the CLI: the cross-validated AUC ± sd and
 * each fold, the model chosen, what was dropped (with reasons), encoded and imputed.
 */
export function formatFeatureFileReport(r: FeatureFileReport): string {
	const lines = [
		`${r.file}: ${r.rows.toLocaleString('en-US')} rows, ${r.positives.toLocaleString('en-US')} positive (${r.label} = ${r.label_values.positive}, ${pct(r.positives / r.rows)})` +
			(r.rows_without_label ? `; ${r.rows_without_label} rows without a label left out` : ''),
		`ROC AUC ${r.auc.toFixed(3)} ± ${r.auc_sd.toFixed(3)} (stratified ${r.folds.length}-fold cross-validation, seed ${r.seed}); PR AUC ${r.pr_auc.toFixed(3)}; Brier ${r.brier.toFixed(3)}`,
		...r.folds.map((f) => `  fold ${f.fold}: AUC ${f.auc.toFixed(3)}  PR AUC ${f.pr_auc.toFixed(3)}  Brier ${f.brier.toFixed(3)}  ${f.model}`),
		`Model: ${r.model} (also chosen in ${r.folds.filter((f) => f.model === r.model).length} of ${r.folds.length} folds), fitted on all rows and saved as ${r.saved.dir}`,
		`  ${r.selection}`
	];
	const kinds = (['numeric', 'boolean', 'categorical'] as const)
		.map((k) => [k, r.encoded.filter((e) => e.kind === k).length] as const)
		.filter(([, n]) => n > 0)
		.map(([k, n]) => `${n} ${k}`);
	lines.push(`Features: ${r.features.length} from ${r.encoded.length} columns (${kinds.join(', ')})`);
	const logged = r.encoded.filter((e) => e.transform === 'log1p').map((e) => e.column);
	if (logged.length) lines.push(`Log-transformed (skewed): ${logged.join(', ')}`);
	if (r.dropped.length) lines.push(`Dropped: ${r.dropped.map((d) => `${d.column} (${d.reason})`).join(', ')}`);
	if (r.missing_imputed.length) lines.push(`Imputed with the training median: ${r.missing_imputed.map((m) => `${m.column} (${m.count} blank)`).join(', ')}`);
	return lines.join('\n');
}
