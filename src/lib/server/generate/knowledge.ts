import { lit } from '../ingest/sql.js';
import { FEATURE_AREAS, HISTORY_DAYS, KB, RELEASES } from './model.js';
import { list } from './sql.js';

const TITLES = [
	'Set up',
	'Troubleshoot',
	'Fix errors in',
	'Configure',
	'Limits of',
	'Migrate',
	'Secure',
	'Automate',
	'Monitor',
	'Share',
	'Clean up',
	'Get started with'
];
const SECTIONS = ['Symptoms', 'Why it happens', 'Fix', 'Verify', 'Escalate'];

/**
 * `g_articles`: knowledge-base articles per feature area in the one-problem-per-page format (five
 * sections), some missing a section or an owner; `g_releases`: about two releases a month, each touching
 * a feature area, so articles reviewed before their area's latest release are stale.
 */
export function knowledgeSql(asOf: string): string[] {
	const asOfTs = `TIMESTAMP '${asOf} 00:00:00'`;
	const body = SECTIONS.map(
		(s, n) => `CASE WHEN missing = ${n} THEN '' ELSE ${lit(`## ${s}\n`)} || ${lit(sectionText(s))} || E'\\n\\n' END`
	).join(' || ');
	return [
		`CREATE OR REPLACE TABLE g_articles AS
		WITH a AS (
			SELECT area, ai, n, printf('KB-%04d', (ai - 1) * ${KB.articlesPerArea} + n + 1) AS article_id,
				CASE WHEN rnd(area || n, 'incomplete') < ${KB.incomplete} THEN floor(5 * rnd(area || n, 'missing'))::INTEGER ELSE -1 END AS missing,
				${asOfTs} - INTERVAL 1 HOUR * floor(${HISTORY_DAYS} * 24 * rnd(area || n, 'reviewed')) AS last_reviewed_at
			FROM (SELECT unnest(${list(FEATURE_AREAS)}) AS area, unnest(range(1, ${FEATURE_AREAS.length + 1})) AS ai),
				LATERAL (SELECT unnest(range(${KB.articlesPerArea})) AS n)
		)
		SELECT article_id, ${list(TITLES)}[1 + n % ${TITLES.length}] || ' ' || replace(area, '-', ' ') AS title, area AS feature_area,
			CASE WHEN rnd(article_id, 'owner') < ${KB.noOwner} THEN NULL ELSE ${list(KB.owners)}[1 + floor(${KB.owners.length} * rnd(article_id, 'who'))::INTEGER] END AS owner,
			last_reviewed_at, least(${asOfTs} - INTERVAL 1 HOUR, last_reviewed_at + INTERVAL 1 HOUR * floor(24 * 30 * rnd(article_id, 'updated'))) AS updated_at,
			'# ' || ${list(TITLES)}[1 + n % ${TITLES.length}] || ' ' || replace(area, '-', ' ') || E'\\n\\n' || ${body} AS body
		FROM a`,
		`CREATE OR REPLACE TABLE g_releases AS
		SELECT printf('R%03d', r) AS release_id,
			${asOfTs} - INTERVAL 1 DAY * (${HISTORY_DAYS} - ${RELEASES.everyDays} * r) + INTERVAL 16 HOUR AS released_at,
			${list(FEATURE_AREAS)}[1 + floor(${FEATURE_AREAS.length} * rnd(r, 'release_area'))::INTEGER] AS feature_area,
			rnd(r, 'ui_change') < ${RELEASES.uiChange} AS ui_change
		FROM range(1, ${Math.floor(HISTORY_DAYS / RELEASES.everyDays)}) t(r)`
	];
}

function sectionText(section: string): string {
	switch (section) {
		case 'Symptoms':
			return 'What you see: the error message, where it appears and who is affected.';
		case 'Why it happens':
			return 'The cause, in one paragraph.';
		case 'Fix':
			return '1. Open the settings page.\n2. Apply the change.\n3. Save.';
		case 'Verify':
			return 'How to confirm the problem is gone.';
		default:
			return 'If it persists, open a ticket with the request id and a screenshot.';
	}
}
