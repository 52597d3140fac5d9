/**
 * Where what operators do goes: in a review's or question's topic to the threads, everywhere else to the
 * bridge's chats. Commands and buttons are decoded on the Telegram side (telegram/operator-input.ts) first.
 */
import type { Bridge } from '../bridge/bridge.ts';
import type { Texts } from '../bridge/texts.ts';
import type { Threads } from '../bridge/threads.ts';
import type { OperatorSink } from '../telegram/operator-input.ts';

export function operatorRouter(core: Bridge, threads: Threads | undefined, t: Texts): OperatorSink {
  const isThread = (topicId: Parameters<Threads['owns']>[0]) => threads?.owns(topicId) === true;
  return {
    operatorMessage: (msg) => (isThread(msg.topicId) ? threads!.operatorMessage(msg) : core.operatorMessage(msg)),
    operatorEdited: (topicId, messageId, text) =>
      isThread(topicId)
        ? threads!.operatorEdited(topicId, messageId, text)
        : core.operatorEdited(topicId, messageId, text),
    operatorAction: (action, under) =>
      isThread(action.topicId) ? threads!.replyAction(action) : core.operatorAction(action, under),
    ownerAction: (action, by) => core.ownerAction(action, by),
    skipAction: (action, by) =>
      threads ? threads.skip(action.topicId, by) : Promise.resolve(t.feedback.skipNotReview),
  };
}
