"""Writes traces.jsonl: scripted, labelled interaction traces for the
exit-intent detector (crates/core/tests/exit.rs and the core benchmark).

Each trace is what the web layer feeds the detector: timestamped pointer,
scroll, focus, typing, visibility, cart and tick inputs, sampled like a
browser does (pointer and scroll events once per 16 ms frame, momentum
scrolling decaying with a 325 ms time constant as on iOS). Labels say what
the shopper meant: "exit" (about to leave) or "stay". Seeded: running it
again gives the same file.

    python3 crates/core/tests/exit/generate.py
"""
import json
import math
import os
import random

rng = random.Random(20261123)
FRAME = 16
DESKTOP = (1280, 800)
MOBILE = (390, 844)


class Trace:
    def __init__(self, name, device, label):
        self.name, self.device, self.label = name, device, label
        self.viewport = DESKTOP if device == "desktop" else MOBILE
        self.t = 0
        self.events = []
        self.x, self.y = self.viewport[0] / 2, self.viewport[1] / 2
        self.scroll = 0.0
        self.next_tick = 1000

    def emit(self, *event):
        while self.next_tick <= self.t:
            self.events.append([self.next_tick, "tick"])
            self.next_tick += 1000
        self.events.append([self.t, *event])

    def move_to(self, x, y, speed):
        """Straight pointer path at `speed` px/ms, one sample per frame."""
        dist = math.hypot(x - self.x, y - self.y)
        steps = max(1, int(dist / (speed * FRAME)))
        x0, y0 = self.x, self.y
        for i in range(1, steps + 1):
            self.t += FRAME
            f = i / steps
            self.x = x0 + (x - x0) * f + rng.uniform(-1.5, 1.5)
            self.y = y0 + (y - y0) * f + rng.uniform(-1.5, 1.5)
            self.emit("move", round(self.x, 1), round(self.y, 1))

    def read_desktop(self, ms):
        """Reading: small pointer moves and wheel scrolling down."""
        end = self.t + ms
        while self.t < end:
            self.t += rng.randint(300, 2500)
            if rng.random() < 0.5:
                self.move_to(rng.uniform(200, 1000), rng.uniform(250, 700), rng.uniform(0.2, 0.8))
            else:
                for _ in range(rng.randint(2, 6)):
                    self.t += FRAME * 2
                    self.scroll += rng.uniform(40, 100)
                    self.emit("scroll", round(self.scroll, 1))

    def flick(self, v0, up):
        """Momentum scroll starting at v0 px/ms, up or down."""
        v = v0
        while v > 0.05:
            self.t += FRAME
            step = v * FRAME
            self.scroll = max(0.0, self.scroll - step) if up else self.scroll + step
            self.emit("scroll", round(self.scroll, 1))
            v *= math.exp(-FRAME / 325)
            if self.scroll == 0.0:
                break

    def read_mobile(self, ms, depth_px):
        """Reading down to about depth_px with downward flicks and pauses,
        now and then a slow upward correction."""
        end = self.t + ms
        while self.t < end:
            self.t += rng.randint(800, 4000)
            if self.scroll < depth_px:
                self.emit("pointerdown", rng.uniform(100, 300), rng.uniform(300, 700))
                self.flick(rng.uniform(0.8, 2.5), up=False)
                self.emit("pointerup")
            elif rng.random() < 0.3:
                self.flick(rng.uniform(0.2, 0.6), up=True)


def desktop_exit(i, speed, label_name):
    tr = Trace(f"desktop-{label_name}-{i:02}", "desktop", "exit")
    tr.read_desktop(rng.uniform(6000, 40000))
    # Towards the tabs or the close button, leaving the document.
    target_x = rng.choice([rng.uniform(50, 400), rng.uniform(1100, 1270)])
    tr.move_to(target_x, rng.uniform(2, 12), speed)
    tr.t += FRAME
    tr.emit("leave", round(tr.x, 1), round(rng.uniform(-12, 2), 1))
    return tr


def desktop_reading(i):
    tr = Trace(f"desktop-reading-{i:02}", "desktop", "stay")
    tr.read_desktop(rng.uniform(20000, 60000))
    return tr


def desktop_scrollbar(i):
    tr = Trace(f"desktop-scrollbar-drag-{i:02}", "desktop", "stay")
    tr.read_desktop(rng.uniform(6000, 20000))
    tr.move_to(DESKTOP[0] - rng.uniform(4, 12), rng.uniform(300, 600), 0.6)
    tr.t += 200
    tr.emit("pointerdown", round(tr.x, 1), round(tr.y, 1))
    tr.move_to(tr.x, rng.uniform(-5, 5), rng.uniform(0.8, 2.0))
    tr.t += FRAME
    tr.emit("leave", round(tr.x, 1), round(rng.uniform(-20, 0), 1))
    tr.t += rng.randint(200, 900)
    tr.emit("pointerup")
    return tr


def desktop_form(i):
    tr = Trace(f"desktop-form-filling-{i:02}", "desktop", "stay")
    tr.read_desktop(rng.uniform(5000, 15000))
    tr.move_to(rng.uniform(400, 800), rng.uniform(200, 400), 0.5)
    tr.emit("focus", 1)
    for _ in range(rng.randint(5, 25)):
        tr.t += rng.randint(80, 250)
        tr.emit("typing")
    if i % 2 == 0:
        # Tabbed out of the field, still typing elsewhere.
        tr.emit("focus", 0)
        tr.t += rng.randint(100, 400)
        tr.emit("typing")
    # The hand leaves the mouse, which drifts off the top.
    tr.move_to(tr.x + rng.uniform(-50, 50), 3, rng.uniform(0.8, 1.8))
    tr.t += FRAME
    tr.emit("leave", round(tr.x, 1), round(rng.uniform(-8, 2), 1))
    return tr


def desktop_edge_hover(i):
    tr = Trace(f"desktop-edge-jitter-{i:02}", "desktop", "stay")
    tr.read_desktop(rng.uniform(5000, 20000))
    tr.move_to(rng.uniform(300, 900), rng.uniform(15, 40), 0.4)
    for _ in range(rng.randint(10, 40)):
        tr.t += FRAME * rng.randint(1, 4)
        tr.x += rng.uniform(-6, 6)
        tr.y = min(45, max(4, tr.y + rng.uniform(-3, 3)))
        tr.emit("move", round(tr.x, 1), round(tr.y, 1))
    tr.t += FRAME
    tr.emit("leave", round(tr.x, 1), round(rng.uniform(-2, 3), 1))
    tr.move_to(tr.x, rng.uniform(20, 60), 0.3)
    tr.read_desktop(rng.uniform(3000, 8000))
    return tr


def desktop_side_exit(i):
    tr = Trace(f"desktop-side-or-bottom-{i:02}", "desktop", "stay")
    tr.read_desktop(rng.uniform(5000, 20000))
    if i % 2:
        tr.move_to(rng.choice([-4, DESKTOP[0] + 4]), rng.uniform(200, 600), rng.uniform(1, 2.5))
    else:
        tr.move_to(rng.uniform(200, 1000), DESKTOP[1] + 4, rng.uniform(1, 2.5))
    tr.t += FRAME
    tr.emit("leave", round(tr.x, 1), round(tr.y, 1))
    return tr


def mobile_flick_exit(i):
    tr = Trace(f"mobile-flick-up-{i:02}", "mobile", "exit")
    depth = rng.uniform(2, 6) * MOBILE[1]
    tr.read_mobile(rng.uniform(10000, 40000), depth)
    tr.t += rng.randint(500, 3000)
    tr.emit("pointerdown", rng.uniform(100, 300), rng.uniform(200, 500))
    tr.flick(rng.uniform(2.2, 6.0), up=True)
    tr.emit("pointerup")
    return tr


def mobile_tab_return(i):
    tr = Trace(f"mobile-tab-return-{i:02}", "mobile", "exit")
    tr.read_mobile(rng.uniform(8000, 30000), 2 * MOBILE[1])
    tr.emit("hidden", 1)
    tr.t += rng.randint(20000, 180000)
    tr.emit("hidden", 0)
    return tr


def idle_with_cart(i, device):
    tr = Trace(f"{device}-idle-cart-{i:02}", device, "exit")
    tr.emit("cart", rng.randint(1, 3))
    if device == "mobile":
        tr.read_mobile(rng.uniform(8000, 20000), MOBILE[1])
    else:
        tr.read_desktop(rng.uniform(8000, 20000))
    tr.t += rng.randint(50000, 120000)
    tr.emit("tick")
    return tr


def mobile_reading(i):
    tr = Trace(f"mobile-reading-{i:02}", "mobile", "stay")
    tr.read_mobile(rng.uniform(30000, 90000), rng.uniform(3, 8) * MOBILE[1])
    return tr


def mobile_reread(i):
    tr = Trace(f"mobile-scroll-back-to-reread-{i:02}", "mobile", "stay")
    tr.read_mobile(rng.uniform(10000, 30000), 3 * MOBILE[1])
    tr.emit("pointerdown", 200, 400)
    tr.flick(rng.uniform(0.6, 1.1), up=True)
    tr.emit("pointerup")
    tr.read_mobile(rng.uniform(3000, 8000), 5 * MOBILE[1])
    return tr


def mobile_quick_switch(i):
    tr = Trace(f"mobile-quick-tab-switch-{i:02}", "mobile", "stay")
    tr.read_mobile(rng.uniform(8000, 20000), 2 * MOBILE[1])
    tr.emit("hidden", 1)
    tr.t += rng.randint(1500, 7000)
    tr.emit("hidden", 0)
    tr.read_mobile(rng.uniform(3000, 8000), 3 * MOBILE[1])
    return tr


def mobile_idle_empty(i):
    tr = Trace(f"mobile-idle-empty-cart-{i:02}", "mobile", "stay")
    tr.read_mobile(rng.uniform(8000, 20000), MOBILE[1])
    tr.t += rng.randint(60000, 120000)
    tr.emit("tick")
    return tr


def mobile_pull_at_top(i):
    tr = Trace(f"mobile-flick-near-top-{i:02}", "mobile", "stay")
    tr.read_mobile(rng.uniform(6000, 12000), 0.3 * MOBILE[1])
    tr.emit("pointerdown", 200, 300)
    tr.flick(rng.uniform(2.5, 4.0), up=True)
    tr.emit("pointerup")
    return tr


traces = []
traces += [desktop_exit(i, rng.uniform(1.0, 3.0), "exit-fast") for i in range(14)]
traces += [desktop_exit(i, rng.uniform(0.5, 1.0), "exit-moderate") for i in range(6)]
traces += [desktop_exit(i, rng.uniform(0.2, 0.4), "exit-slow") for i in range(3)]
traces += [idle_with_cart(i, "desktop") for i in range(2)]
traces += [desktop_reading(i) for i in range(6)]
traces += [desktop_scrollbar(i) for i in range(4)]
traces += [desktop_form(i) for i in range(4)]
traces += [desktop_edge_hover(i) for i in range(4)]
traces += [desktop_side_exit(i) for i in range(4)]
traces += [mobile_flick_exit(i) for i in range(8)]
traces += [mobile_tab_return(i) for i in range(5)]
traces += [idle_with_cart(i, "mobile") for i in range(3)]
traces += [mobile_reading(i) for i in range(6)]
traces += [mobile_reread(i) for i in range(3)]
traces += [mobile_quick_switch(i) for i in range(3)]
traces += [mobile_idle_empty(i) for i in range(2)]
traces += [mobile_pull_at_top(i) for i in range(2)]

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "traces.jsonl"), "w") as out:
    for tr in traces:
        out.write(json.dumps({"name": tr.name, "device": tr.device, "label": tr.label,
                              "viewport": list(tr.viewport), "events": tr.events},
                             separators=(",", ":")) + "\n")
print(len(traces), "traces,", sum(t.label == "exit" for t in traces), "exits")
