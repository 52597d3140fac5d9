/**
 * Builds the running parts from the configuration: metrics, the Telegram bot and its rights watch, the
 * bridge core, the Market poller, the health report, the desk's figures and the daily digest. Nothing is
 * started here.
 */
import { Api } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { Bridge } from '../bridge/bridge.ts';
import type { ReplyGuardPort } from '../bridge/ports.ts';
import { textsFor, type Texts } from '../bridge/texts.ts';
import type { Config } from '../config.ts';
import { Desk } from '../desk/desk.ts';
import { Digest } from '../desk/digest.ts';
import { dayBounds, waitingChats, type WaitingChat } from '../desk/figures.ts';
import { deskGauges } from '../desk/gauges.ts';
import { deskSummary, tooLongAfter, type DeskSummary } from '../desk/summary.ts';
import { createGuard } from '../guard/guard.ts';
import { Health } from '../health.ts';
import type { MarketClient } from '../market/client.ts';
import { MarketPoller } from '../market/poller.ts';
import { Metrics } from '../server/metrics.ts';
import type { JsonStore } from '../store/store.ts';
import { createBot } from '../telegram/bot.ts';
import { CallBudget } from '../telegram/budget.ts';
import { GeneralMessage } from '../telegram/general-message.ts';
import { ProgressReport } from '../telegram/progress.ts';
import { TelegramGroup } from '../telegram/port.ts';
import { GroupRights, isRightsError } from '../telegram/rights.ts';
import { topicLink } from '../telegram/topic-links.ts';
import type { AppOverrides } from './overrides.ts';
import { buildThreads, type ThreadParts } from './threads.ts';

/** When things last happened, for health (epoch ms). */
export interface Pulse {
  telegramLastOk?: number;
  lastNotificationAt?: number;
}

export interface Parts {
  texts: Texts;
  metrics: Metrics;
  rights: GroupRights;
  bot: ReturnType<typeof createBot>;
  core: Bridge;
  poller: MarketPoller;
  health: Health;
  pulse: Pulse;
  progress: ProgressReport;
  desk: Desk;
  /** Reviews and questions as topics; none when both kinds are off. */
  threads?: ThreadParts;
  /** The desk's figures now, for /status, and the waiting chats, for /mine: read from the store when asked. */
  reports: { summary: () => DeskSummary; waiting: () => WaitingChat[] };
  /** The daily digest; none with DIGEST_AT=off. */
  digest?: Digest;
}

export interface PartsDeps {
  store: JsonStore;
  market: MarketClient;
  botInfo: UserFromGetMe;
  reportFatal: (err: Error) => void;
  /** One of several cabinets (CABINETS_FILE): its name, and whether its chat is shared with other cabinets. */
  cabinet?: { name: string; shared: boolean };
  /** The chat's Telegram budget, shared by the cabinets of one chat; made here when absent. */
  budget?: CallBudget;
  /** Why the Market no longer serves the cabinet (its key refused); shown by health. */
  marketProblem?: () => string | undefined;
}

export function buildParts(config: Config, logger: Logger, overrides: AppOverrides, deps: PartsDeps): Parts {
  const { store, market, botInfo, reportFatal, cabinet } = deps;
  const startedAt = Date.now();
  const pulse: Pulse = {};
  const tooLongMs = tooLongAfter(config.desk);
  const repliesWaiting = () =>
    store.allReplies().filter((r) => r.state === 'queued' || r.state === 'sending' || r.state === 'unknown').length;
  const metrics: Metrics = new Metrics(
    {
      queueDepth: (): number => core.pending,
      backlog: (): number => core.backlog,
      telegramQueue: () => budget.queued(),
      repliesWaiting,
      quota: () => market.quotaSnapshot(),
      storeWritable: () => store.writeProblem === undefined,
      telegramRightsOk: () => rights.problem === undefined,
      desk: () => {
        const now = Date.now();
        return deskGauges(store.chats(), now, tooLongMs, dayBounds(config.timeZone, now));
      },
    },
    { cabinet: cabinet?.name, processMetrics: cabinet === undefined },
  );
  const texts = cabinet?.shared ? namedTexts(textsFor(config.language), cabinet.name) : textsFor(config.language);
  // Health checks go around the bot's retries and pacing: they must answer in a second or two.
  const plainApi = new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot, timeoutSeconds: 5 });
  const rights: GroupRights = new GroupRights({
    api: plainApi,
    chatId: config.telegram.chatId,
    bot: { id: botInfo.id, username: botInfo.username },
    intervalMs: overrides.rightsCheckIntervalMs,
    minGapMs: overrides.rightsCheckMinGapMs,
    log: logger.child({ side: 'telegram' }),
    texts,
    announce: async (text) => {
      await bot.api.sendMessage(config.telegram.chatId, text);
    },
  });
  const groupPerMinute = overrides.telegramGroupPerMinute ?? config.telegram.groupPerMinute;
  const budget =
    deps.budget ??
    new CallBudget({
      groupPerMinute,
      globalPerSecond: config.telegram.globalPerSecond,
    });
  const bot = createBot({
    token: config.telegram.token,
    apiRoot: config.telegram.apiRoot,
    pacing: config.telegram.pacing,
    budget,
    groupPerMinute,
    globalPerSecond: config.telegram.globalPerSecond,
    botInfo,
    onAnswer: (_method, ok, code, description) => {
      // An answer shows Telegram works; flood control, its own errors and refusals for rights do not.
      if (ok || (code !== undefined && code < 500 && code !== 429 && !isRightsError(code, description)))
        pulse.telegramLastOk = Date.now();
      if (!ok && code === 429) metrics.telegramRetry('429');
      if (!ok && code !== undefined && code >= 500) metrics.telegramRetry('5xx');
      if (!ok) rights.answered(code, description);
    },
    onNetworkError: () => metrics.telegramRetry('network'),
    onRepeat: (method) => {
      metrics.telegramRepeat(method);
      logger.warn({ method }, 'posting again a Telegram call whose answer was lost; it may show twice');
    },
  });
  const telegram = new TelegramGroup(
    bot.api,
    config.telegram.chatId,
    `${config.telegram.apiRoot}/file/bot${config.telegram.token}`,
    {
      budget: config.telegram.pacing ? budget : undefined,
      titlePrefix: cabinet?.shared ? `[${cabinet.name}] ` : undefined,
    },
  );
  const guard = replyGuard(config.guard);
  const core: Bridge = new Bridge(market, telegram, store, {
    businessId: config.market.businessId,
    historyOnFirstSight: config.historyOnFirstSight,
    texts,
    timeZone: config.timeZone,
    undoSeconds: config.undoSeconds,
    guard,
    logger: logger.child({ side: 'bridge' }),
    onFatal: reportFatal,
    observer: metrics,
    ambiguousCheckDelayMs: overrides.ambiguousCheckDelayMs,
    ambiguousSettleMs: overrides.ambiguousSettleMs,
    retryDelayMs: overrides.retryDelayMs,
    coalescePosts: overrides.coalescePosts,
    closeFinishedTopics: config.desk.closeFinishedTopics,
  });
  const poller = new MarketPoller(market, core, {
    intervalMs: config.intake.kind === 'notifications' ? config.intake.reconcileIntervalMs : config.intake.intervalMs,
    fullSyncIntervalMs: config.market.fullSyncIntervalMs,
    logger: logger.child({ side: 'poller' }),
    onFatal: reportFatal,
    onRound: (ok) => metrics.poll(ok ? 'ok' : 'failed'),
  });
  const health = new Health({
    now: overrides.healthNow ?? Date.now,
    startedAt,
    telegramLastOk: () => pulse.telegramLastOk,
    probeTelegram: async () => {
      await plainApi.getMe();
      pulse.telegramLastOk = Date.now();
    },
    telegramProblem: () => rights.problem,
    storeProblem: () => store.writeProblem,
    marketLastOk: () => market.lastAnswerAt,
    marketProblem: deps.marketProblem,
    lastPollAt: () => poller.lastSuccessAt,
    lastNotificationAt: () => pulse.lastNotificationAt,
    maxSilenceMs: () => Math.max(3 * poller.roundIntervalMs, 120_000),
    chats: () => store.chatCount,
    queueDepth: (): number => core.pending,
    backlog: (): number => core.backlog,
    telegramQueue: () => budget.queued(),
    repliesWaiting,
    quota: () => market.quotaSnapshot(),
    mode: { telegram: config.updates.kind, notifications: config.intake.kind === 'notifications' },
  });
  const paced = config.telegram.pacing ? budget : undefined;
  const progress = new ProgressReport({
    message: () =>
      new GeneralMessage({ api: bot.api, chatId: config.telegram.chatId, lane: 'operator', budget: paced }),
    imports: () => core.imports(),
    queued: () => Object.values(budget.queued()).reduce((a, b) => a + b, 0),
    spacingMs: 60_000 / groupPerMinute,
    texts: texts.progress,
    log: logger.child({ side: 'telegram' }),
    ...overrides.progress,
  });
  const desk = new Desk({
    store,
    telegram,
    t: texts,
    log: logger.child({ side: 'desk' }),
    link: (topicId) => topicLink(config.telegram.chatId, topicId),
    remindAfterMs: config.desk.remindAfterMs,
    escalateAfterMs: config.desk.escalateAfterMs,
    workHours: config.desk.workHours,
    timeZone: config.timeZone,
    ...overrides.desk,
  });
  const reports = {
    summary: () =>
      deskSummary(store.chats(), Date.now(), { tooLongMs, timeZone: config.timeZone, threads: store.threads() }),
    waiting: () => waitingChats(store.chats(), Date.now()),
  };
  const digest =
    config.desk.digestAt === undefined
      ? undefined
      : new Digest({
          store,
          telegram,
          texts,
          timeZone: config.timeZone,
          atMinute: config.desk.digestAt,
          link: (topicId) => topicLink(config.telegram.chatId, topicId),
          log: logger.child({ side: 'desk' }),
          notBeforeMs: Date.parse(store.initializedAt),
          ...overrides.digest,
        });
  const threads = buildThreads(config, logger, overrides, {
    market,
    telegram,
    store,
    texts,
    reportFatal,
    guard,
    observer: metrics,
  });
  return { texts, metrics, rights, bot, core, poller, health, pulse, progress, desk, reports, digest, threads };
}

/** The reply guard as the bridge sees it; none with REPLY_GUARD=off. */
function replyGuard(setting: Config['guard']): ReplyGuardPort | undefined {
  if (setting.kind === 'off') return undefined;
  const guard = createGuard({ allow: setting.allow });
  return { mode: setting.kind, check: (text, context) => guard.check(text, context) };
}

/**
 * A shared group's texts for one cabinet: its name on the cards, the desk's board and escalations, /mine and the
 * daily digest, so that operators tell the cabinets apart. Topic titles get it from the TelegramPort.
 */
function namedTexts(t: Texts, name: string): Texts {
  const named = (text: string) => `[${name}] ${text}`;
  const { board, deskStatus: desk } = t;
  return {
    ...t,
    card: { ...t.card, title: named(t.card.title) },
    feedback: {
      ...t.feedback,
      reviewCard: named(t.feedback.reviewCard),
      questionCard: named(t.feedback.questionCard),
    },
    board: {
      ...board,
      waiting: (n) => named(board.waiting(n)),
      nobodyWaits: named(board.nobodyWaits),
      escalation: (n) => named(board.escalation(n)),
    },
    deskStatus: {
      ...desk,
      mine: { ...desk.mine, heading: (n) => named(desk.mine.heading(n)), none: named(desk.mine.none) },
      digest: { ...desk.digest, title: (day) => named(desk.digest.title(day)) },
    },
  };
}
