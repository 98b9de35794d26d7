// The countdown, identical on every phone and the projector: remaining time is computed
// against the server's clock (server_now), not the device's, which may be minutes off.

export class Clock {
  constructor() {
    this.offset = 0; // server time minus device time, in ms
  }

  /** Learn the offset from a server timestamp that was just received. */
  sync(serverNow) {
    const server = Date.parse(serverNow || "");
    if (!Number.isNaN(server)) this.offset = server - Date.now();
  }

  now() {
    return Date.now() + this.offset;
  }
}

/**
 * Seconds left of `timer` = {deadline, paused_remaining, server_now}, or null when no
 * countdown runs. Paused timers show their frozen remainder.
 */
export function remaining(timer, clock) {
  if (!timer) return null;
  if (timer.paused_remaining !== null && timer.paused_remaining !== undefined) {
    return Math.max(0, Math.round(Number(timer.paused_remaining)));
  }
  if (!timer.deadline) return null;
  const deadline = Date.parse(timer.deadline);
  if (Number.isNaN(deadline)) return null;
  return Math.max(0, Math.ceil((deadline - clock.now()) / 1000));
}

export function isPaused(timer) {
  return Boolean(timer) && timer.paused_remaining !== null && timer.paused_remaining !== undefined;
}

/** 754 -> "12:34"; an hour or more -> "1:02:34". */
export function formatSeconds(total) {
  const s = Math.max(0, Math.floor(total));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** What the timer element says: "12:34", "Tijd is om", or "" without a countdown. */
export function timerText(timer, clock, t) {
  const left = remaining(timer, clock);
  if (left === null) return "";
  if (left === 0) return t("time_up");
  return formatSeconds(left);
}

/**
 * Keep every [data-timer] element in `root` ticking. Elements carry their state in
 * data attributes written by the view (data-deadline / data-paused); the tick only rewrites
 * the text, so screen readers are not flooded (the element itself is not a live region).
 */
export function startTicking(root, getTimer, clock, t) {
  const tick = () => {
    const timer = getTimer();
    const text = timerText(timer, clock, t);
    for (const el of root.querySelectorAll("[data-timer]")) {
      const target = el.querySelector("[data-timer-text]") || el;
      if (target.textContent !== text) target.textContent = text;
      el.hidden = text === "";
      el.classList.toggle("timer--up", remaining(timer, clock) === 0);
      el.classList.toggle("timer--paused", isPaused(timer));
    }
  };
  tick();
  return window.setInterval(tick, 250);
}
