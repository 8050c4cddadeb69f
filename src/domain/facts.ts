/**
 * Finds quantitative statements in English and Chinese text.
 *
 * Pure: no I/O and no Node built-ins, so research, analysis and the QA engine share one notion of what
 * a figure is.
 */
import type { Fact } from './types';

export type Metric = NonNullable<Fact['metric']>;

/**
 * What a number in running text is. Only `quantity` is a figure; the others are numbers that carry
 * no claim (years and dates, version numbers, list and heading numbering, ordinals, identifiers such
 * as `S3` or `p99`, phone numbers).
 */
export type NumberKind = 'quantity' | 'year' | 'date' | 'version' | 'list-marker' | 'ordinal' | 'id' | 'phone';

/** A number found in text. `index` is the offset of `raw` in the text that was scanned. */
export interface FoundNumber {
  index: number;
  /** The number as written, with its multiplier: '1.2 billion', '2,280 亿', '99.99'. */
  raw: string;
  /** The value with the multiplier folded in: '1.2 billion' gives 1200000000. */
  value: number;
}

/** A scanned number with its classification. */
export interface ScannedNumber extends FoundNumber {
  kind: NumberKind;
  /** Normalised unit of a quantity ('' when none was found). */
  unit: string;
  /** Offset just past the unit (or past `raw` when there is none). */
  end: number;
}

const TOKEN = new RegExp(
  [
    String.raw`(?<date>(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4})(?![\d.]\d))`,
    String.raw`(?<phone>\+\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{2,4}[ -]\d{3,4}(?:[ -]\d{3,4})?(?!\d)|(?<!\d)(?:\(\d{3}\) ?\d{3}-\d{4}|\d{3}-\d{3}-\d{4}|0\d{2,3}-\d{7,8}|1[3-9]\d{9})(?!\d))`,
    String.raw`(?<version>(?<![A-Za-z0-9_])[vV]\d+(?:\.\d+)*(?![\d])|(?<![\d.])\d+(?:\.\d+){2,}(?![\d]))`,
    String.raw`(?<num>(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?)`,
  ].join('|'),
  'g',
);

const WORD_MULTIPLIERS: [RegExp, number][] = [
  [/^\s?(?:trillions?|tn)\b/i, 12],
  [/^\s?(?:billions?|bn)\b/i, 9],
  [/^\s?(?:millions?|mn)\b/i, 6],
  [/^\s?(?:thousands?)\b/i, 3],
  [/^[kK](?![A-Za-z])/, 3],
  [/^M(?![A-Za-z])/, 6],
  [/^B(?![A-Za-z])/, 9],
];

const CJK_DIGIT: Record<string, number> = { 十: 1, 百: 2, 千: 3 };
const CJK_MULTIPLIER = /^\s?([十百千]?)(万亿|亿|万)|^\s?(千)(?![克米瓦])/;

interface UnitRule {
  re: RegExp;
  unit: string | ((m: RegExpExecArray) => string);
}

const ENTITY_EN =
  'users?|players?|gamers?|vehicles?|cars?|devices?|sellers?|merchants?|customers?|clients?|accounts?|businesses|companies|enterprises|employees?|engineers?|developers?|countries|markets?|transactions?|payments?|orders?|requests?|queries|messages?|events?|games?|matches|connections?|servers?|nodes?|machines?|instances?|workflows?|jobs?|tasks?|downloads?|subscribers?|members?|stores?|factories|plants?|sensors?|robots?|titles?|items?|records?|calls?|transfers?|trades?|wallets?|sites?|regions?|data ?centers?|microservices?|services?|people|times';

const ENTITY_ZH: [string, string][] = [
  ['月活跃用户', 'users'],
  ['日活跃用户', 'users'],
  ['活跃用户', 'users'],
  ['用户', 'users'],
  ['玩家', 'players'],
  ['车辆', 'vehicles'],
  ['辆', 'vehicles'],
  ['台设备', 'devices'],
  ['设备', 'devices'],
  ['台', 'devices'],
  ['商家', 'merchants'],
  ['商户', 'merchants'],
  ['卖家', 'sellers'],
  ['客户', 'customers'],
  ['账户', 'accounts'],
  ['员工', 'employees'],
  ['工程师', 'engineers'],
  ['开发者', 'developers'],
  ['个国家', 'countries'],
  ['国家', 'countries'],
  ['个市场', 'markets'],
  ['笔交易', 'transactions'],
  ['笔支付', 'payments'],
  ['笔订单', 'orders'],
  ['笔', 'transactions'],
  ['交易', 'transactions'],
  ['订单', 'orders'],
  ['次请求', 'requests'],
  ['请求', 'requests'],
  ['条消息', 'messages'],
  ['消息', 'messages'],
  ['个事件', 'events'],
  ['事件', 'events'],
  ['场比赛', 'matches'],
  ['款游戏', 'games'],
  ['连接', 'connections'],
  ['台服务器', 'servers'],
  ['服务器', 'servers'],
  ['个节点', 'nodes'],
  ['节点', 'nodes'],
  ['家工厂', 'factories'],
  ['工厂', 'factories'],
  ['个传感器', 'sensors'],
  ['名', 'people'],
  ['位', 'people'],
  ['人', 'people'],
  ['家', 'companies'],
  ['次', 'times'],
];

const MEASURE = '[名位个家台辆笔次条款场件]?';
const ADJECTIVE_ZH = '(?:月活跃|日活跃|活跃|注册|并发|同时在线|在线|付费)?';

function plural(noun: string): string {
  const n = noun.toLowerCase().replace(/\s+/g, ' ');
  if (n === 'people' || n === 'times' || n === 'queries' || n === 'matches' || /ies$/.test(n) || /s$/.test(n)) {
    return n.replace(/^data ?centers?$/, 'data centers');
  }
  return n === 'data center' || n === 'datacenter' ? 'data centers' : `${n}s`;
}

function rateUnit(noun: string, per: string): string {
  const n = plural(noun);
  const suffix = /day|天|日/.test(per) ? '/day' : /min|分钟/.test(per) ? '/min' : /hour|小时/.test(per) ? '/h' : '/s';
  if (suffix === '/s' && n === 'transactions') return 'TPS';
  if (suffix === '/s' && n === 'queries') return 'QPS';
  if (suffix === '/s' && n === 'requests') return 'req/s';
  return `${n}${suffix}`;
}

const PER = String.raw`(?:per|a|an|every|each|/)\s*(?:second|sec|s|day|minute|min|hour)\b`;

/** Units that follow a number, tried in order; the first match wins. */
const SUFFIX_UNITS: UnitRule[] = [
  { re: /^\s*(?:%|％|percent\b|per ?cent\b|个百分点)/i, unit: '%' },
  { re: /^\s*(?:ms|msec|milliseconds?)\b/i, unit: 'ms' },
  { re: /^\s*毫秒/, unit: 'ms' },
  { re: /^\s*(?:µs|μs|microseconds?)(?![A-Za-z])/i, unit: 'µs' },
  { re: /^\s*微秒/, unit: 'µs' },
  { re: /^\s*(?:TPS|tps)\b/, unit: 'TPS' },
  { re: /^\s*(?:QPS|qps)\b/, unit: 'QPS' },
  { re: /^\s*(?:RPS|rps|req\/s)\b/, unit: 'req/s' },
  { re: /^\s*([KMGTPE]B\/s|[KMGT]bps)(?![A-Za-z])/, unit: (m) => m[1] },
  { re: /^\s*([KMGTPE]B)(?![A-Za-z])/, unit: (m) => m[1] },
  { re: /^\s*(?:s|secs?|seconds?)\b/, unit: 's' },
  { re: /^\s*秒/, unit: 's' },
  { re: /^\s*(?:mins?|minutes?)\b/i, unit: 'min' },
  { re: /^\s*分钟/, unit: 'min' },
  { re: /^\s*(?:h|hrs?|hours?)\b/i, unit: 'h' },
  { re: /^\s*个?小时/, unit: 'h' },
  { re: /^\s*(?:days?)\b/i, unit: 'days' },
  { re: /^\s*(?:months?)\b/i, unit: 'months' },
  { re: /^\s*(?:years?)\b/i, unit: 'years' },
  { re: /^\s*(?:天)/, unit: 'days' },
  { re: /^\s*(?:个月)/, unit: 'months' },
  { re: /^\s*(?:年)(?![度底初中末份])/, unit: 'years' },
  { re: /^\s*(?:USD|US dollars?|dollars?)\b/i, unit: 'USD' },
  { re: /^\s*(?:美元|美金)/, unit: 'USD' },
  { re: /^\s*(?:RMB|CNY|yuan)\b/i, unit: 'RMB' },
  { re: /^\s*(?:元人民币|人民币|元)/, unit: 'RMB' },
  { re: /^\s*(?:EUR|euros?)\b/i, unit: 'EUR' },
  { re: /^\s*欧元/, unit: 'EUR' },
  { re: /^(?:x|×)(?![A-Za-z0-9])/, unit: 'x' },
  { re: /^\s*倍/, unit: 'x' },
  {
    re: new RegExp(String.raw`^\s*(?:(?:daily|monthly|weekly|concurrent|active|registered|connected|new|unique|paying|global)\s+)*(${ENTITY_EN})\s+${PER}`, 'i'),
    unit: (m) => rateUnit(m[1], m[0].slice(m[0].toLowerCase().lastIndexOf(' ') + 1)),
  },
  {
    re: new RegExp(String.raw`^\s*(?:(?:daily|monthly|weekly|concurrent|active|registered|connected|new|unique|paying|global)\s+)*(${ENTITY_EN})\b`, 'i'),
    unit: (m) => plural(m[1]),
  },
  { re: /^\s*(?:MAU|DAU)\b/, unit: 'users' },
  { re: /^\s*笔(?:交易|支付)?\s*(?:\/\s*秒|每秒)/, unit: 'TPS' },
  { re: /^\s*次(?:请求)?\s*(?:\/\s*秒|每秒)/, unit: 'req/s' },
  { re: /^\s*条(?:消息)?\s*(?:\/\s*秒|每秒)/, unit: 'messages/s' },
];

for (const [word, unit] of ENTITY_ZH) {
  SUFFIX_UNITS.push({ re: new RegExp(`^\\s*${word.length === 1 ? '' : MEASURE}${ADJECTIVE_ZH}${word}`), unit });
}

/** Currency signs and codes written before a number. */
const PREFIX_UNITS: [RegExp, string][] = [
  [/(?:US\$|\$|USD)\s*$/, 'USD'],
  [/(?:¥|￥|RMB|CNY)\s*$/, 'RMB'],
  [/(?:€|EUR)\s*$/, 'EUR'],
  [/(?:£|GBP)\s*$/, 'GBP'],
];

const MONTHS = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
const MONTH_BEFORE = new RegExp(`\\b${MONTHS}\\s*$`);
const MONTH_AFTER = new RegExp(`^\\s*${MONTHS}\\b`);
const VERSION_BEFORE =
  /(?:\bversion|\brelease|版本|\bNode(?:\.js)?|\bJava|\bPython|\bTypeScript|\bHTTP\/|\bTLS|\biOS|\bAndroid|\bWindows|\bSDK|\bAPI)\s*v?$/i;
const ORDINAL_BEFORE = /(?:第|\bNo\.\s*|\bsection\s+|\bchapter\s+|\bfigure\s+|\bfig\.\s*|\btable\s+|\bstep\s+|\bphase\s+|§\s*|#)$/i;
const YEAR_BEFORE = /(?:\bin|\bsince|\bby|\bfrom|\buntil|\bduring|\bthrough|['’]s|\bFY|\bQ[1-4]|\bH[12]|截至|截止|自|于|在)\s*$/i;
const INDEX_BEFORE = /(?:\bFortune(?: Global)?|\bS&P|\bFTSE|\bRussell|\bNasdaq)\s*$/;
const ID_BEFORE = /(?:\bRFC|\bISO|\bIEC|\bCVE-\d*|\bPCI DSS|\bID|\bissue|\bPR|编号|[A-Za-z]-)\s*$/i;

/** A section, table or figure reference: 见 3.1 节, 表 3.2, section 4.1. */
const SECTION_BEFORE = /(?:见|表|图|§|\b(?:sections?|table|figure|fig\.))\s*$/i;
const SECTION_AFTER = /^\s*(?:节|章|小节)/;

/** Inside a work's title (《守望先锋 2》): the number is part of the name. */
function insideTitle(before: string, after: string): boolean {
  const open = before.lastIndexOf('《');
  const close = after.indexOf('》');
  return open >= 0 && !before.slice(open).includes('》') && close >= 0 && !after.slice(0, close).includes('《');
}

function classify(text: string, start: number, numEnd: number, hasMultiplier: boolean, raw: string, unit: string): NumberKind {
  const before = text.slice(Math.max(0, start - 24), start);
  const after = text.slice(numEnd, numEnd + 16);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const linePrefix = text.slice(lineStart, start);
  const digits = raw.replace(/,/g, '');
  const plainInteger = /^\d+$/.test(digits) && !hasMultiplier;

  if (/^\s*#{1,6}\s+$/.test(linePrefix)) return 'list-marker';
  if (/^\s*$/.test(linePrefix) && plainInteger && /^(?:[.)．、]|\.(?!\d))(?:\s|$)/.test(after)) return 'list-marker';
  if (/^\s*[(（]$/.test(linePrefix) && plainInteger && /^[)）]/.test(after)) return 'list-marker';
  if (/\[\^?$/.test(before) && /^\]/.test(after)) return 'id';
  if (plainInteger && /^(?:st|nd|rd|th)\b/i.test(after)) return 'ordinal';
  if (ORDINAL_BEFORE.test(before)) return 'ordinal';
  if (VERSION_BEFORE.test(before) && (/\./.test(raw) || unit === '')) return 'version';
  if (/[A-Za-z_]$/.test(before)) return 'id';
  if (ID_BEFORE.test(before) || INDEX_BEFORE.test(before)) return 'id';
  if (/^\d+(?:\.\d+)*$/.test(raw) && (SECTION_BEFORE.test(before) || SECTION_AFTER.test(after))) return 'id';
  if (insideTitle(before, after)) return 'id';
  if (plainInteger && /^\s*[月日号]/.test(after)) return 'date';
  if (plainInteger && (MONTH_BEFORE.test(before) || MONTH_AFTER.test(after))) return 'date';
  if (plainInteger && /^:\d/.test(after)) return 'date';
  if (plainInteger && /^\d{4}$/.test(digits)) {
    const year = Number(digits);
    if (year >= 1900 && year <= 2100 && (['', 's', 'years'].includes(unit) || YEAR_BEFORE.test(before))) return 'year';
  }
  // The second half of a year range: 2019-20, 2019–2020.
  if (plainInteger && /(?:19|20)\d\d\s*[-–/]\s*$/.test(before) && (digits.length === 2 || digits.length === 4)) return 'year';
  if (plainInteger && (/^0\d/.test(digits) || (digits.length >= 9 && unit === ''))) return 'id';
  // A number glued to letters that are not a unit (5G, 3D, 2FA) is a name, not a figure.
  if (unit === '' && /^[A-Za-z]/.test(after)) return 'id';
  return 'quantity';
}

function suffixUnit(after: string): { unit: string; length: number } {
  for (const rule of SUFFIX_UNITS) {
    const m = rule.re.exec(after);
    if (m) return { unit: typeof rule.unit === 'string' ? rule.unit : rule.unit(m), length: m[0].length };
  }
  return { unit: '', length: 0 };
}

/** Rates written before the number: 'TPS 达 2,000', '每秒 2,000 笔交易', 'peak of 10,000 requests per second'. */
function contextualUnit(before: string, unit: string): string {
  const window = before.slice(-12);
  const rateBefore = /(TPS|QPS|RPS)\s*(?:峰值)?\s*(?:达到|达|为|高达|超过|约|of|:|：|=)?\s*$/i.exec(window);
  if (rateBefore && unit === '') return rateBefore[1].toUpperCase() === 'RPS' ? 'req/s' : rateBefore[1].toUpperCase();
  if (/每秒/.test(window) && unit !== '' && !unit.includes('/') && !['%', 'ms', 's', 'µs', 'x', 'TPS', 'QPS'].includes(unit)) {
    if (/^[A-Z]{3}$/.test(unit) && unit !== 'RMB' && unit !== 'USD' && unit !== 'EUR') return unit;
    if (['USD', 'RMB', 'EUR', 'GBP'].includes(unit) || /B$/.test(unit)) return `${unit}/s`;
    return rateUnit(unit, 's');
  }
  return unit;
}

/**
 * Scans text for every number and classifies it. Most callers want {@link findNumbers} (figures only)
 * or {@link extractFacts}.
 */
export function scanNumbers(text: string): ScannedNumber[] {
  const out: ScannedNumber[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const g = m.groups ?? {};
    const index = m.index;
    if (g.date || g.phone || g.version) {
      const kind: NumberKind = g.date ? 'date' : g.phone ? 'phone' : 'version';
      out.push({ index, raw: m[0], value: Number.NaN, kind, unit: '', end: index + m[0].length });
      continue;
    }
    const numeral = m[0];
    let end = index + numeral.length;
    let exponent = 0;
    const tail = text.slice(end, end + 16);
    const word = WORD_MULTIPLIERS.find(([re]) => re.test(tail));
    const cjk = CJK_MULTIPLIER.exec(tail);
    if (cjk) {
      const big = cjk[2] === '万亿' ? 12 : cjk[2] === '亿' ? 8 : cjk[2] === '万' ? 4 : 0;
      exponent = big + (CJK_DIGIT[cjk[1] || cjk[3] || ''] ?? 0);
      end += cjk[0].length;
    } else if (word) {
      const wm = word[0].exec(tail)!;
      exponent = word[1];
      end += wm[0].length;
    }
    const raw = text.slice(index, end).trim();
    const digits = numeral.replace(/,/g, '');
    // Folding the multiplier into the exponent avoids float noise (0.07 * 100).
    const value = Number(`${digits}e${exponent}`);
    const prefix = text.slice(Math.max(0, index - 5), index);
    const pre = PREFIX_UNITS.find(([re]) => re.test(prefix));
    const suf = suffixUnit(text.slice(end, end + 60));
    let unit = pre ? pre[1] : suf.unit;
    if (pre && suf.unit && suf.unit.endsWith('/s')) unit = `${pre[1]}/s`;
    unit = contextualUnit(text.slice(Math.max(0, index - 16), index), unit);
    const kind = classify(text, index, index + numeral.length, exponent !== 0, numeral, unit);
    out.push({ index, raw, value, kind, unit: kind === 'quantity' ? unit : '', end: end + (pre ? 0 : suf.length) });
  }
  return out;
}

/**
 * Finds the figures in a piece of text: numbers that state a quantity. Years and dates, version
 * numbers, list and heading numbering, ordinals, identifiers and phone numbers are left out.
 * Multipliers (thousand, million, billion, k, M, B, 千, 万, 亿) are folded into `value`.
 */
export function findNumbers(text: string): FoundNumber[] {
  return scanNumbers(text)
    .filter((n) => n.kind === 'quantity')
    .map(({ index, raw, value }) => ({ index, raw, value }));
}

const ABBREVIATIONS = /(?:\b(?:e\.g|i\.e|etc|vs|Inc|Ltd|Corp|Co|Mr|Mrs|Ms|Dr|St|No|Fig|approx|U\.S|U\.K)|\b[A-Z])\.$/;

/**
 * Splits text into sentences on . ! ? 。！？ and line breaks. A period inside a number (1.2) or after
 * a common abbreviation (e.g., Inc.) does not end a sentence. Returns trimmed, non-empty sentences.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  const push = (end: number) => {
    const s = text.slice(start, end).replace(/\s+/g, ' ').trim();
    if (s) sentences.push(s);
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') {
      push(i);
      start = i + 1;
    } else if ('。！？!?'.includes(c)) {
      push(i + 1);
    } else if (c === '.') {
      const next = text[i + 1];
      if (next !== undefined && !/\s/.test(next)) continue;
      if (ABBREVIATIONS.test(text.slice(Math.max(start, i - 8), i + 1))) continue;
      push(i + 1);
    }
  }
  push(text.length);
  return sentences;
}

const KEYWORDS: Record<Exclude<Metric, 'scale' | 'other'>, RegExp> = {
  reliability:
    /uptime|availability|available|可用性|可用率|\bSLA\b|\bSLO\b|error rate|错误率|失败率|成功率|success rate|downtime|停机|故障|宕机|reliab|可靠|durab|持久性|outage|failure|fail|丢失|数据丢失|RPO|RTO|恢复/i,
  cost: /\bcost|成本|费用|节省|节约|\bsav(?:e|ed|es|ing|ings)\b|spend|pric|开支|预算|budget|expense|\bfees?\b|手续费|revenue|营收|收入|利润|profit|\bTCO\b/i,
  latency: /latenc|延迟|时延|响应时间|response time|\bp\d{2}\b|耗时|round[- ]trip|faster|slower|快了|提速|delay|wait time|等待时间|加载时间|load time/i,
  throughput: /throughput|per second|每秒|吞吐|\bTPS\b|\bQPS\b|\bRPS\b|峰值|\bpeak\b|requests per|处理能力/i,
};

const SCALE_UNITS = /^(?:[KMGTPE]B|users|players|gamers|vehicles|cars|devices|sellers|merchants|customers|clients|accounts|businesses|companies|enterprises|employees|engineers|developers|countries|markets|transactions|payments|orders|requests|queries|messages|events|games|matches|connections|servers|nodes|machines|instances|workflows|jobs|tasks|downloads|subscribers|members|stores|factories|plants|sensors|robots|titles|items|records|calls|transfers|trades|wallets|sites|regions|data centers|microservices|services|people)$/;

/** The clause (between commas, semicolons or colons) that holds the span [start, end). */
function clauseAround(sentence: string, start: number, end: number): string {
  const stops = /[，；;：]|, |: /g;
  let from = 0;
  let to = sentence.length;
  for (let m = stops.exec(sentence); m; m = stops.exec(sentence)) {
    if (m.index + m[0].length <= start) from = m.index + m[0].length;
    else if (m.index >= end) {
      to = m.index;
      break;
    }
  }
  return sentence.slice(from, to);
}

/**
 * Guesses the template metric bucket of a figure from its unit and the words around it: the clause
 * it sits in first, then the whole sentence when the clause says nothing.
 */
export function guessMetric(unit: string, clause: string, sentence: string = clause): Metric {
  const metric = guessIn(unit, clause);
  return metric === 'other' && sentence !== clause ? guessIn(unit, sentence) : metric;
}

function guessIn(unit: string, sentence: string): Metric {
  if (/\/(?:s|min|h)$/.test(unit) || unit === 'TPS' || unit === 'QPS' || /bps$/.test(unit)) return 'throughput';
  if (unit === 'ms' || unit === 'µs') return 'latency';
  if (['USD', 'RMB', 'EUR', 'GBP'].includes(unit)) return 'cost';
  if (unit === 's' || unit === 'min' || unit === 'h' || unit === 'days') {
    if (KEYWORDS.reliability.test(sentence) && !KEYWORDS.latency.test(sentence)) return 'reliability';
    return KEYWORDS.latency.test(sentence) || unit === 's' ? 'latency' : 'other';
  }
  if (unit === '%' || unit === 'x') {
    for (const metric of ['reliability', 'cost', 'latency', 'throughput'] as const) {
      if (KEYWORDS[metric].test(sentence)) return metric;
    }
    return 'other';
  }
  if (KEYWORDS.throughput.test(sentence) && /每秒|per second|throughput|吞吐/i.test(sentence)) return 'throughput';
  if (SCALE_UNITS.test(unit) || /\/day$/.test(unit)) return 'scale';
  if (unit === '' && /scale|规模|用户|users|customers|merchants/i.test(sentence)) return 'scale';
  return 'other';
}

/**
 * Extracts the quantitative statements of a text: each figure with its value, unit, the sentence it
 * sits in and a metric bucket guess. Ids are `<sourceId>-f<n>`, numbered from 1 in text order.
 * Unitless single-digit counts ("3 reasons") are not facts.
 */
export function extractFacts(text: string, sourceId: string): Fact[] {
  const facts: Fact[] = [];
  for (const sentence of splitSentences(text)) {
    const numbers = scanNumbers(sentence);
    numbers.forEach((n, i) => {
      if (n.kind !== 'quantity') return;
      let unit = n.unit;
      const next = numbers[i + 1];
      // In a range ("10-20 ms", "3 至 5 秒") the first number takes the unit of the second.
      if (unit === '' && next?.kind === 'quantity' && next.unit !== '') {
        const between = sentence.slice(n.index + n.raw.length, next.index);
        if (/^\s*(?:-|–|—|~|～|to|至|到)\s*[$¥€£]?\s*$/i.test(between)) unit = next.unit;
      }
      if (unit === '' && /^\d$/.test(n.raw)) return;
      facts.push({
        id: `${sourceId}-f${facts.length + 1}`,
        value: n.value,
        raw: n.raw,
        unit,
        sentence,
        sourceId,
        metric: guessMetric(unit, clauseAround(sentence, n.index, n.end), sentence),
      });
    });
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Excerpts, page checks and disagreeing sources

/** One item of a project-local excerpt: our restatement of one statement of the page, per language. */
export interface ExcerptItem {
  /** 1-based line of the item in the excerpt file (front matter included). */
  line: number;
  /** The restatement in the excerpt's own language (English in this project). */
  text: string;
  /** Its Chinese restatement, from the item's `zh:` line. */
  zh?: string;
  /** Line of the `zh:` line. */
  zhLine?: number;
}

/**
 * Reads the items of an excerpt file: each `- ` list item is one restatement; an indented line
 * `zh: ...` under it gives the same statement in Chinese; other indented lines continue the item.
 * Front matter and text outside the list are not items.
 */
export function parseExcerpt(markdown: string): ExcerptItem[] {
  const lines = markdown.split(/\r?\n/);
  let i = 0;
  if (lines[0]?.replace(/^\uFEFF/, '').trim() === '---') {
    const end = lines.findIndex((l, k) => k > 0 && l.trim() === '---');
    if (end > 0) i = end + 1;
  }
  const items: ExcerptItem[] = [];
  let current: ExcerptItem | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i];
    const item = /^[-*+]\s+(.*)$/.exec(line);
    if (item) {
      current = { line: i + 1, text: item[1].trim() };
      items.push(current);
      continue;
    }
    if (current && /^\s+\S/.test(line)) {
      const zh = /^\s+zh:\s*(.*)$/.exec(line);
      if (zh) {
        current.zh = zh[1].trim();
        current.zhLine = i + 1;
      } else if (current.zh !== undefined) {
        current.zh = `${current.zh} ${line.trim()}`;
      } else {
        current.text = `${current.text} ${line.trim()}`;
      }
      continue;
    }
    current = undefined;
  }
  return items;
}

/** The smallest step the way a number is written can express: '29.8 billion' gives 1e8, '8' gives 1. */
function stepOf(n: Pick<FoundNumber, 'raw' | 'value'>): number {
  const numeral = /[\d,]+(?:\.(\d+))?/.exec(n.raw);
  const decimals = numeral?.[1]?.length ?? 0;
  const mantissa = Number((numeral?.[0] ?? '0').replace(/,/g, ''));
  const scale = mantissa !== 0 && Number.isFinite(n.value) ? n.value / mantissa : 1;
  return Math.abs(scale) * 10 ** -decimals;
}

/**
 * Whether two written numbers state the same figure once rounding is allowed for: the more precise
 * one, rounded to the precision of the other, gives the other ('8.7%' and '9%' agree; '8.6%' and
 * '8%' do not; '$29,771 million' and '$29.8 billion' agree). Units must agree when both have one.
 */
export function sameFigure(a: Pick<ScannedNumber, 'raw' | 'value' | 'unit'>, b: Pick<ScannedNumber, 'raw' | 'value' | 'unit'>): boolean {
  if (!Number.isFinite(a.value) || !Number.isFinite(b.value)) return false;
  if (a.unit && b.unit && a.unit !== b.unit) return false;
  const step = Math.max(stepOf(a), stepOf(b));
  return Math.abs(a.value - b.value) <= step / 2 + Math.abs(step) * 1e-9;
}

/**
 * Whether a figure appears in a page's text. A figure written with a multiplier (270 million) also
 * matches its bare numeral in the page, for pages whose multiplier words are not English or Chinese
 * (270 Millionen); numbers written the continental way (36,1 and 1.300) are read too.
 */
export function figureInText(fact: Pick<Fact, 'raw' | 'value' | 'unit'>, pageText: string): boolean {
  return [pageText, continentalToDot(pageText)].some((text) => figureIn(fact, text));
}

/** Numbers written the continental way (1.300 and 36,1) rewritten as 1,300 and 36.1. */
function continentalToDot(text: string): string {
  return text.replace(/\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d)|\d+,\d{1,2}(?![\d])/g, (m) => [...m].map((c) => (c === '.' ? ',' : c === ',' ? '.' : c)).join(''));
}

function figureIn(fact: Pick<Fact, 'raw' | 'value' | 'unit'>, pageText: string): boolean {
  const numeral = /[\d,]+(?:\.\d+)?/.exec(fact.raw)?.[0] ?? '';
  const mantissa = Number(numeral.replace(/,/g, ''));
  const hasMultiplier = numeral !== '' && mantissa !== fact.value;
  return scanNumbers(pageText).some((n) => {
    if (!Number.isFinite(n.value)) return false;
    if (sameFigure(fact, n)) return true;
    if (!hasMultiplier || /[^\d.,\s]/.test(n.raw)) return false;
    return sameFigure({ raw: numeral, value: mantissa, unit: '' }, { ...n, unit: '' });
  });
}

/**
 * Figures of `original` that `translation` does not state: the same value, rounding allowed. Units
 * are not compared, since the two languages name them differently ('orders/day' and '笔订单').
 */
export function missingFigures(original: string, translation: string): ScannedNumber[] {
  const theirs = scanNumbers(translation).filter((n) => n.kind === 'quantity');
  return scanNumbers(original)
    .filter((n) => n.kind === 'quantity' && !(n.unit === '' && /^\d$/.test(n.raw)))
    .filter((n) => !theirs.some((m) => sameFigure({ ...n, unit: '' }, { ...m, unit: '' })));
}

/** One metric given different values by two sources. */
export interface SourceConflict {
  a: Fact;
  b: Fact;
  /** The figure both sentences state alike, which shows they speak of the same thing. */
  anchor: { a: Fact; b: Fact };
}

/**
 * Figures that two sources give different values for. Two statements speak of the same thing when
 * they share a figure (the same value and unit, not a percentage: e.g. the same $29.8 billion); then the figure of
 * another unit nearest to that shared one in each statement is the same metric, and values that do
 * not agree after rounding are a conflict (8 % in one source, 8.6 % in the other).
 */
export function conflictingFacts(facts: readonly Fact[]): SourceConflict[] {
  const bySentence = new Map<string, Fact[]>();
  for (const f of facts) {
    const k = `${f.sourceId}\u0000${f.sentence}`;
    bySentence.set(k, [...(bySentence.get(k) ?? []), f]);
  }
  const groups = [...bySentence.values()];
  const out: SourceConflict[] = [];
  const seen = new Set<string>();
  const nearest = (group: Fact[], anchor: Fact, unit: string): Fact | undefined => {
    const at = anchor.sentence.indexOf(anchor.raw);
    return group
      .filter((f) => f !== anchor && f.unit === unit)
      .sort((x, y) => Math.abs(x.sentence.indexOf(x.raw) - at) - Math.abs(y.sentence.indexOf(y.raw) - at))[0];
  };
  for (const [gi, ga] of groups.entries()) {
    for (const gb of groups.slice(gi + 1)) {
      if (ga[0].sourceId === gb[0].sourceId) continue;
      for (const anchorA of ga) {
        // A shared percentage is too common to show two statements speak of the same thing.
        if (!anchorA.unit || anchorA.unit === '%') continue;
        const anchorB = gb.find((f) => f.unit === anchorA.unit && f.value === anchorA.value);
        if (!anchorB) continue;
        for (const unit of new Set(ga.map((f) => f.unit).filter((u) => u && u !== anchorA.unit))) {
          const a = nearest(ga, anchorA, unit);
          const b = nearest(gb, anchorB, unit);
          if (!a || !b || sameFigure(a, b)) continue;
          const k = [a.id, b.id].sort().join('|');
          if (seen.has(k)) continue;
          seen.add(k);
          out.push({ a, b, anchor: { a: anchorA, b: anchorB } });
        }
      }
    }
  }
  return out;
}
