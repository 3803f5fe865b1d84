// The widget's review history: one list of steps (accept, reject, add) across all its files,
// undone and redone in order. A step remembers the tag's review status before and after it;
// going back or forth is one moderation request that puts the service in that status
// (docs/widget.md, "Undo and redo").

/**
 * The moderation request that gives a tag `status` again at the service: none (suggested, or
 * not on the asset) → `clear`; rejected → `remove`; added → `add_manual`; accepted → `promote`
 * when the tag was predicted for the asset, else `add_manual` (only taxonomy tags are added by hand).
 */
export function restoreRequest(tag, status, predicted) {
  if (status === 'rejected') return { tagId: tag.id, action: 'remove' };
  if (status === 'accepted' && predicted) return { tagId: tag.id, action: 'promote' };
  if (status === 'accepted' || status === 'added') return { tagId: tag.id, action: 'add_manual', title: tag.title };
  return { tagId: tag.id, action: 'clear' };
}

/** Steps done (undo takes the last) and undone (redo takes the last); a new step drops the undone. */
export function createHistory() {
  const done = [];
  const undone = [];
  return {
    record(step) {
      done.push(step);
      undone.length = 0;
    },
    /** The step undo would take back, or undefined. */
    get nextUndo() { return done.at(-1); },
    /** The step redo would send again, or undefined. */
    get nextRedo() { return undone.at(-1); },
    undid(step) {
      if (done.at(-1) === step) undone.push(done.pop());
    },
    redid(step) {
      if (undone.at(-1) === step) done.push(undone.pop());
    },
  };
}
