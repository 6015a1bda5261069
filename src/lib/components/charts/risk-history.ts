/**
 * The options of an account's risk and health over its scoring runs (`RiskHistoryChart.svelte`): churn
 * probability and health on one 0–100 scale, one point per run. Only types from ECharts, as in `options.ts`.
 */
import { COLORS, FONT, periodLabel, type ChartSpec } from './options.js';

/** One scoring run of the account. */
export interface RiskPoint {
	/** The run's as-of date (ISO). */
	as_of: string;
	churn_probability: number;
	/** 0–100, or null when the run had none. */
	health: number | null;
	version: string;
}

const pct = (p: number) => Math.round(p * 1000) / 10;

/** Two lines over the runs, with a dot on every run (there are few, and each is a real scoring). Empty without runs. */
export function riskHistoryOptions(points: RiskPoint[]): ChartSpec {
	const days = points.map((p) => p.as_of.slice(0, 10));
	return {
		empty: points.length === 0,
		data: {
			columns: ['as_of', 'churn_probability_pct', 'health', 'model_version'],
			rows: points.map((p, i) => [days[i], pct(p.churn_probability), p.health === null ? null : Math.round(p.health), p.version])
		},
		options: {
			animation: false,
			textStyle: { fontFamily: FONT },
			grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
			legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: COLORS.muted, fontSize: 11 } },
			tooltip: {
				trigger: 'axis',
				formatter: (params: unknown) => {
					const i = ((Array.isArray(params) ? params : [params])[0] as { dataIndex?: number } | undefined)?.dataIndex ?? -1;
					const p = points[i];
					if (!p) return '';
					const health = p.health === null ? '—' : String(Math.round(p.health));
					return `<strong>As of ${periodLabel(days[i])}</strong><br>Churn probability ${pct(p.churn_probability)} %<br>Health ${health} / 100<br><span style="color:${COLORS.muted}">Model ${p.version}</span>`;
				}
			},
			xAxis: {
				type: 'category',
				data: days.map(periodLabel),
				boundaryGap: points.length === 1,
				axisLine: { lineStyle: { color: COLORS.grid } },
				axisLabel: { color: COLORS.muted, fontSize: 11 }
			},
			yAxis: {
				type: 'value',
				min: 0,
				max: 100,
				interval: 25,
				axisLabel: { color: COLORS.muted, fontSize: 11 },
				splitLine: { lineStyle: { color: COLORS.grid } }
			},
			series: [
				{
					name: 'Churn probability (%)',
					type: 'line',
					data: points.map((p) => pct(p.churn_probability)),
					symbol: 'circle',
					symbolSize: 7,
					lineStyle: { color: COLORS.cliff, width: 2 },
					itemStyle: { color: COLORS.cliff }
				},
				{
					name: 'Health (0–100)',
					type: 'line',
					data: points.map((p) => (p.health === null ? null : Math.round(p.health))),
					symbol: 'circle',
					symbolSize: 7,
					lineStyle: { color: COLORS.accent, width: 2 },
					itemStyle: { color: COLORS.accent }
				}
			]
		}
	};
}
