import { conflictingFacts, extractFacts, figureInText, findNumbers, guessMetric, missingFigures, parseExcerpt, sameFigure, scanNumbers, splitSentences } from '../src/domain/facts';

describe('extractFacts: figures with value, unit and metric', () => {
  const table: [string, string, number, string, string][] = [
    // sentence, raw, value, unit, metric
    ['The platform processed $1.2 billion in payments.', '1.2 billion', 1_200_000_000, 'USD', 'cost'],
    ['The system handles 10,000 requests per second at peak.', '10,000', 10_000, 'req/s', 'throughput'],
    ['It sustains 3,500 transactions per second.', '3,500', 3_500, 'TPS', 'throughput'],
    ['Peak load reached 42k QPS.', '42k', 42_000, 'QPS', 'throughput'],
    ['p99 latency dropped to 45 ms.', '45', 45, 'ms', 'latency'],
    ['Failover completes in 30 seconds.', '30', 30, 's', 'reliability'],
    ['Responses arrive in 2 seconds.', '2', 2, 's', 'latency'],
    ['We achieved 99.99% availability.', '99.99', 99.99, '%', 'reliability'],
    ['Infrastructure cost fell by 40%.', '40', 40, '%', 'cost'],
    ['The game has 180 million monthly active players.', '180 million', 180_000_000, 'players', 'scale'],
    ['The fleet counts 2.5M vehicles.', '2.5M', 2_500_000, 'vehicles', 'scale'],
    ['The telemetry store holds 5 PB of data.', '5', 5, 'PB', 'scale'],
    ['Builds became 10x faster.', '10', 10, 'x', 'latency'],
    ['The service spends 0.07 million dollars a month.', '0.07 million', 70_000, 'USD', 'cost'],
    ['支付系统每秒处理 58.3 万笔交易。', '58.3 万', 583_000, 'TPS', 'throughput'],
    ['全年处理额达 2,280 亿美元。', '2,280 亿', 228_000_000_000, 'USD', 'cost'],
    ['平均延迟 200 毫秒。', '200', 200, 'ms', 'latency'],
    ['服务可用性达到 99.95%。', '99.95', 99.95, '%', 'reliability'],
    ['平台连接 1000万台设备。', '1000万', 10_000_000, 'devices', 'scale'],
    ['节省成本 1.5 亿元。', '1.5 亿', 150_000_000, 'RMB', 'cost'],
    ['峰值吞吐 2,000 笔/秒。', '2,000', 2_000, 'TPS', 'throughput'],
    ['QPS 达 10 万。', '10 万', 100_000, 'QPS', 'throughput'],
    ['吞吐量提升了 3 倍。', '3', 3, 'x', 'throughput'],
    ['平台拥有 5000 万月活跃用户。', '5000 万', 50_000_000, 'users', 'scale'],
  ];

  test.each(table)('%s', (sentence, raw, value, unit, metric) => {
    const facts = extractFacts(sentence, 'S1');
    expect(facts).toHaveLength(1);
    expect(facts[0]).toEqual({ id: 'S1-f1', raw, value, unit, metric, sentence, sourceId: 'S1' });
  });

  test('takes the metric from the clause that holds the figure', () => {
    const facts = extractFacts('可用性达到 99.95%，成本降低 30%。', 'S2');
    expect(facts.map((f) => [f.value, f.metric])).toEqual([
      [99.95, 'reliability'],
      [30, 'cost'],
    ]);
  });

  test('a range takes the unit of its second number', () => {
    const facts = extractFacts('Latency stays between 10-20 ms.', 'S1');
    expect(facts.map((f) => [f.value, f.unit])).toEqual([
      [10, 'ms'],
      [20, 'ms'],
    ]);
  });

  test('numbers the facts of a source in text order with the sentence they sit in', () => {
    const text = 'Revenue was $3.5 billion. Latency fell to 12 ms!\n延迟 8 毫秒。';
    const facts = extractFacts(text, 'S4');
    expect(facts.map((f) => f.id)).toEqual(['S4-f1', 'S4-f2', 'S4-f3']);
    expect(facts.map((f) => f.sentence)).toEqual(['Revenue was $3.5 billion.', 'Latency fell to 12 ms!', '延迟 8 毫秒。']);
  });
});

describe('extractFacts: numbers that are not figures', () => {
  test.each([
    ['a year after "in"', 'The company was founded in 2009.'],
    ['a Chinese year', '2023年，公司完成了迁移。'],
    ['a Chinese year with spacing', '2023 年公司完成了迁移。'],
    ['a full date', 'Released on 2022-03-01 and March 5 of that year.'],
    ['a Chinese date', '3月15日发布。'],
    ['a version with v', 'Upgrade to v1.2.3 soon.'],
    ['a dotted version', 'The SDK 1.24.0 adds updates.'],
    ['a runtime version', 'It runs on Node 20.'],
    ['list numbering', '1. Collect the sources'],
    ['parenthesised list numbering', '(2) Review the draft'],
    ['a heading number', '### 3.1 吞吐量'],
    ['English ordinals', 'It ranked 1st in the 2nd quarter.'],
    ['Chinese ordinals', '位列第3名。'],
    ['product and protocol names', 'Data sits in S3 behind EC2, over IPv6 and 5G.'],
    ['a phone number', 'Call 555-123-4567 today.'],
    ['a Chinese mobile number', '联系 13800138000。'],
    ['a standard number', 'See RFC 7231 and ISO 27001.'],
    ['a footnote reference', 'Stated in the report [1].'],
    ['a single-digit unitless count', 'There are 3 reasons.'],
    ['a year before a noun', "Epic's 2023 store review."],
    ['a year range', 'Costs rose more than in 2019-20.'],
    ['an index name', 'It ranks among the Fortune Global 500.'],
  ])('%s', (_label, sentence) => {
    expect(extractFacts(sentence, 'S1')).toEqual([]);
  });

  test('a four-digit number with a unit is a figure, not a year', () => {
    expect(extractFacts('The cluster runs 2048 devices.', 'S1').map((f) => f.value)).toEqual([2048]);
    expect(extractFacts('A global 500 merchants joined.', 'S1').map((f) => f.value)).toEqual([500]);
  });
});

describe('findNumbers', () => {
  test('returns figures with their offset and folded value, skipping non-figures', () => {
    const line = '2023 年处理额达 2,280 亿美元[^S1]，延迟 1.5 秒（设计目标）。';
    const found = findNumbers(line);
    expect(found).toEqual([
      { index: line.indexOf('2,280'), raw: '2,280 亿', value: 228_000_000_000 },
      { index: line.indexOf('1.5'), raw: '1.5', value: 1.5 },
    ]);
  });

  test('returns nothing for a line without figures', () => {
    expect(findNumbers('## 3. 性能指标与量化分析')).toEqual([]);
  });

  test('section, table and title references are names, not figures', () => {
    expect(findNumbers('详见 3.1 节和表 3.2，另见 section 4.1。')).toEqual([]);
    expect(findNumbers('《守望先锋 2》上线首日')).toEqual([]);
    expect(findNumbers('《守望先锋 2》上线首日有 2,000 万次登录').map((n) => n.raw)).toEqual(['2,000 万']);
    expect(findNumbers('3.1 秒内完成').map((n) => n.raw)).toEqual(['3.1']);
  });

  test('scanNumbers classifies what findNumbers leaves out', () => {
    expect(scanNumbers('v1.2.3 in 2023, call 555-123-4567, 40 ms').map((n) => [n.raw, n.kind])).toEqual([
      ['v1.2.3', 'version'],
      ['2023', 'year'],
      ['555-123-4567', 'phone'],
      ['40', 'quantity'],
    ]);
  });
});

describe('splitSentences', () => {
  test('splits on English and Chinese enders and newlines, not inside numbers or abbreviations', () => {
    expect(splitSentences('Revenue was $1.2 billion. Growth, e.g. in the U.S. market, was 5.5%! 好吗？是的。\nNext line')).toEqual([
      'Revenue was $1.2 billion.',
      'Growth, e.g. in the U.S. market, was 5.5%!',
      '好吗？',
      '是的。',
      'Next line',
    ]);
  });

  test('drops empty sentences', () => {
    expect(splitSentences('\n\n  \n')).toEqual([]);
  });
});

describe('guessMetric', () => {
  test('falls back to the sentence when the clause has no keyword', () => {
    expect(guessMetric('%', 'fell by 20%', 'Error rate fell by 20%')).toBe('reliability');
    expect(guessMetric('%', 'fell by 20%')).toBe('other');
  });
});

describe('excerpts, page checks and disagreeing sources', () => {
  test('parseExcerpt reads one item per statement with its zh line, and their lines', () => {
    const text = '---\ntitle: T\n---\nIntro line, not an item.\n\n- Revenue rose 8%\n  to $29.8 billion.\n  zh: 营收增长 8%，\n  达到 298 亿美元。\n- No figure here.\n';
    expect(parseExcerpt(text)).toEqual([
      { line: 6, text: 'Revenue rose 8% to $29.8 billion.', zh: '营收增长 8%， 达到 298 亿美元。', zhLine: 8 },
      { line: 10, text: 'No figure here.' },
    ]);
  });

  test('sameFigure allows for rounding and nothing more', () => {
    const n = (raw: string, value: number, unit = '%') => ({ raw, value, unit });
    expect(sameFigure(n('8.7', 8.7), n('9', 9))).toBe(true);
    expect(sameFigure(n('8.6', 8.6), n('8', 8))).toBe(false);
    expect(sameFigure(n('29.8 billion', 29.8e9, 'USD'), n('29,771 million', 29771e6, 'USD'))).toBe(true);
    expect(sameFigure(n('29.8 billion', 29.8e9, 'USD'), n('29.8 billion', 29.8e9, 'EUR'))).toBe(false);
  });

  test('figureInText finds a figure in English, Chinese or continental writing, and not a different one', () => {
    const [growth, revenue] = extractFacts('Full-year revenue increased 8% to $29.8 billion.', 'S1');
    expect(figureInText(revenue, 'Revenue was $29,771 million.')).toBe(true);
    expect(figureInText(revenue, '营收为 298 亿美元。')).toBe(true);
    expect(figureInText(growth, 'Revenue increased 7% to $29.8 billion.')).toBe(false);
    const [dau] = extractFacts('Daily active users peaked at 36.1 million.', 'S1');
    expect(figureInText(dau, 'einen Höchststand von 36,1 Millionen')).toBe(true);
    const [games] = extractFacts('Over 1,300 new PC games were released.', 'S1');
    expect(figureInText(games, 'über 1.300 neue PC-Games')).toBe(true);
  });

  test('missingFigures lists what a translation leaves out or changes', () => {
    expect(missingFigures('Revenue rose 8% to $29.8 billion.', '营收增长 8%，达到 298 亿美元。')).toEqual([]);
    expect(missingFigures('Revenue rose 8% to $29.8 billion.', '营收增长 9%，达到 298 亿美元。').map((n) => n.raw)).toEqual(['8']);
  });

  test('conflictingFacts pairs the figures beside a shared one and ignores rounding', () => {
    const facts = [
      ...extractFacts('Full-year 2023 revenue increased 8% to $29.8 billion.', 'S1'),
      ...extractFacts('Fourth-quarter revenue increased 9% to $8.0 billion.', 'S1'),
      ...extractFacts('Full-year 2023 revenue reached $29.8bn, an 8.6% increase on 2022.', 'S2'),
      ...extractFacts('Q4 2023 revenue rose 8.7% year over year to $8bn.', 'S2'),
    ];
    const conflicts = conflictingFacts(facts);
    expect(conflicts.map((c) => [c.a.sourceId, c.a.raw, c.b.sourceId, c.b.raw])).toEqual([['S1', '8', 'S2', '8.6']]);
    // A shared percentage alone does not make two statements about one metric.
    expect(conflictingFacts([...extractFacts('Costs fell 9% to $2 million.', 'S1'), ...extractFacts('Sales grew 9% to $5 million.', 'S2')])).toEqual([]);
    // A shared amount does: then the percentages beside it are compared.
    expect(conflictingFacts([...extractFacts('Costs fell 9% to $2 million.', 'S1'), ...extractFacts('Costs fell 12% to $2 million.', 'S2')])).toHaveLength(1);
  });
});
