/**
 * ECharts, modular: the core with only the charts, components and renderer the app draws with (the full
 * `echarts` import is about 1 MB; this is a fraction of it). Imported dynamically by `Chart.svelte` in
 * the browser only, so server rendering and the page's first paint never load it. A new chart type or
 * component is registered here, and its option type added to `ChartOptions` in `options.ts`.
 */
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

use([
	LineChart,
	BarChart,
	HeatmapChart,
	GridComponent,
	TooltipComponent,
	MarkLineComponent,
	LegendComponent,
	VisualMapComponent,
	SVGRenderer
]);

export type { EChartsType };

/**
 * A chart in `el`, drawn as SVG: crisp at any zoom and in screenshots, text that can be selected, and
 * a DOM that tests can inspect. Canvas would be faster for tens of thousands of points; these charts
 * have a few hundred.
 */
export function createChart(el: HTMLElement): EChartsType {
	return init(el, null, { renderer: 'svg' });
}
