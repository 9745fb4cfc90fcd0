#!/usr/bin/env python3
"""Generates the touch recordings in this folder, in the evemu text format.

Each recording is what `evemu-record` prints for a real panel doing one scripted scenario:
the device header (N/I/P/B/A lines), then events as the kernel delivers them (only values that
changed, ABS_MT_SLOT only when the slot changes, pointer emulation through ABS_X/ABS_Y and
BTN_TOUCH, MSC_TIMESTAMP in every frame, about 125 frames a second, a little positional noise
on still fingers). The expected taps and gestures are asserted in
Tests/KioskDevicesTests/TouchRecordingTests.swift.

Run it from anywhere: python3 Devices/touch/recordings/generate.py
"""

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
FRAME = 0.008  # seconds between frames while a finger is down

ILITEK = {
    "name": "ILITEK ILITEK-TP",
    "id": (0x0003, 0x222A, 0x0001, 0x0110),
    "direct": True,
    "multitouch": True,
    "x": 16383,
    "y": 9599,
    "slots": 10,
}

EGALAX = {
    "name": "eGalax Inc. USB TouchController",
    "id": (0x0003, 0x0EEF, 0x0001, 0x0100),
    # This controller does not set INPUT_PROP_DIRECT: it is found by its profile's USB id.
    "direct": False,
    "multitouch": False,
    "x": 2047,
    "y": 2047,
    "slots": 1,
}

NAMES = {
    (0, 0): "EV_SYN / SYN_REPORT",
    (0, 3): "EV_SYN / SYN_DROPPED",
    (1, 0x14A): "EV_KEY / BTN_TOUCH",
    (3, 0x00): "EV_ABS / ABS_X",
    (3, 0x01): "EV_ABS / ABS_Y",
    (3, 0x2F): "EV_ABS / ABS_MT_SLOT",
    (3, 0x35): "EV_ABS / ABS_MT_POSITION_X",
    (3, 0x36): "EV_ABS / ABS_MT_POSITION_Y",
    (3, 0x39): "EV_ABS / ABS_MT_TRACKING_ID",
    (4, 0x05): "EV_MSC / MSC_TIMESTAMP",
}


def header(device):
    vid, pid = device["id"][1], device["id"][2]
    lines = [
        "# EVEMU 1.3",
        "# Kernel: 6.1.0-27-amd64",
        "# DMI: dmi:bvnAmericanMegatrendsInc.:bvr5.12:bd06/15/2022:svnKIOSK:pnSST-2200:",
        '# Input device name: "%s"' % device["name"],
        "# Input device ID: bus 0x03 vendor 0x%x product 0x%x version 0x%x" % (vid, pid, device["id"][3]),
        "# Supported events:",
        "#   Event type 0 (EV_SYN)",
        "#   Event type 1 (EV_KEY)",
        "#     Event code 330 (BTN_TOUCH)",
        "#   Event type 3 (EV_ABS)",
        "#   Event type 4 (EV_MSC)",
        "#     Event code 5 (MSC_TIMESTAMP)",
        "# Properties:",
        "#   Property  type 1 (INPUT_PROP_DIRECT)" if device["direct"] else "#   (none)",
        "N: %s" % device["name"],
        "I: %04x %04x %04x %04x" % device["id"],
        "P: %02x 00 00 00 00 00 00 00" % (0x02 if device["direct"] else 0x00),
        "B: 00 1b 00 00 00 00 00 00 00",
    ]
    for line in range(12):  # KEY_MAX: 96 bytes, 8 a line; BTN_TOUCH is byte 41 bit 2
        lines.append("B: 01 " + " ".join("04" if line * 8 + i == 41 else "00" for i in range(8)))
    lines.append("B: 02 00 00 00 00 00 00 00 00")
    if device["multitouch"]:
        lines.append("B: 03 03 00 00 00 00 80 60 02")
    else:
        lines.append("B: 03 03 00 00 00 00 00 00 00")
    lines += [
        "B: 04 20 00 00 00 00 00 00 00",
        "B: 05 00 00 00 00 00 00 00 00",
        "B: 11 00 00 00 00 00 00 00 00",
        "B: 12 00 00 00 00 00 00 00 00",
        "B: 14 00 00 00 00 00 00 00 00",
        "B: 15 00 00 00 00 00 00 00 00",
        "B: 15 00 00 00 00 00 00 00 00",
        "A: 00 0 %d 0 0 0" % device["x"],
        "A: 01 0 %d 0 0 0" % device["y"],
    ]
    if device["multitouch"]:
        lines += [
            "A: 2f 0 %d 0 0 0" % (device["slots"] - 1),
            "A: 35 0 %d 0 0 0" % device["x"],
            "A: 36 0 %d 0 0 0" % device["y"],
            "A: 39 0 65535 0 0 0",
        ]
    lines += ["################################", "#      Waiting for events      #", "################################"]
    return lines


class Panel:
    """The kernel's side of one panel: turns 'these fingers are here now' into evdev events."""

    def __init__(self, device, seed):
        self.device = device
        self.random = random.Random(seed)
        self.lines = header(device)
        self.slot = 0
        self.slots = {}  # slot -> [tracking id, x, y]
        self.abs = [None, None]
        self.touch = 0
        self.next_id = 100
        self.last_report = None
        self.kernel_slot = 0

    def raw(self, point):
        x, y = point
        return (round(x * self.device["x"]), round(y * self.device["y"]))

    def noisy(self, point, noise):
        x, y = self.raw(point)
        if noise:
            x += self.random.randint(-3, 3)
            y += self.random.randint(-3, 3)
        return (max(0, min(self.device["x"], x)), max(0, min(self.device["y"], y)))

    def event(self, t, etype, code, value, comment=None):
        name = NAMES.get((etype, code), "")
        text = "E: %d.%06d %04x %04x %04d\t# %s %s" % (
            int(t), round((t - int(t)) * 1e6), etype, code, value, name, value)
        if value < 0:
            text = "E: %d.%06d %04x %04x -%03d\t# %s %s" % (
                int(t), round((t - int(t)) * 1e6), etype, code, -value, name, value)
        if comment:
            text += "  (%s)" % comment
        self.lines.append(text)

    def report(self, t):
        self.event(t, 4, 0x05, int(t * 1e6) % 2_000_000_000)
        delta = 0 if self.last_report is None else round((t - self.last_report) * 1000)
        self.lines.append(
            "E: %d.%06d 0000 0000 0000\t# ------------ SYN_REPORT (0) ---------- +%dms"
            % (int(t), round((t - int(t)) * 1e6), delta))
        self.last_report = t

    def frame(self, t, fingers, noise=True, report=True):
        """fingers: {slot: (x, y) in 0...1, or None to lift}. Only changes are written."""
        if self.device["multitouch"]:
            for slot in sorted(fingers):
                point = fingers[slot]
                current = self.slots.get(slot)
                if point is None:
                    if current is not None:
                        self.select(t, slot)
                        self.event(t, 3, 0x39, -1)
                        del self.slots[slot]
                    continue
                x, y = self.noisy(point, noise and current is not None)
                if current is None:
                    self.select(t, slot)
                    self.event(t, 3, 0x39, self.next_id)
                    current = [self.next_id, None, None]
                    self.next_id += 1
                    self.slots[slot] = current
                if current[1] != x or current[2] != y:
                    self.select(t, slot)
                    if current[1] != x:
                        self.event(t, 3, 0x35, x)
                    if current[2] != y:
                        self.event(t, 3, 0x36, y)
                    current[1], current[2] = x, y
            touching = 1 if self.slots else 0
            if touching != self.touch:
                self.event(t, 1, 0x14A, touching)
                self.touch = touching
            if self.slots:
                oldest = min(self.slots.values(), key=lambda s: s[0])
                self.pointer(t, oldest[1], oldest[2])
        else:
            point = fingers.get(0)
            if point is None:
                if self.touch:
                    self.event(t, 1, 0x14A, 0)
                    self.touch = 0
            else:
                x, y = self.noisy(point, noise and self.touch == 1)
                if not self.touch:
                    self.event(t, 1, 0x14A, 1)
                    self.touch = 1
                self.pointer(t, x, y)
        if report:
            self.report(t)

    def select(self, t, slot):
        if self.kernel_slot != slot:
            self.event(t, 3, 0x2F, slot)
            self.kernel_slot = slot

    def pointer(self, t, x, y):
        if self.abs[0] != x:
            self.event(t, 3, 0x00, x)
            self.abs[0] = x
        if self.abs[1] != y:
            self.event(t, 3, 0x01, y)
            self.abs[1] = y

    # Scripted movements -------------------------------------------------------------------

    def hold(self, t, fingers, duration, lift=True):
        """Fingers {slot: point} down at t, still for duration, then lifted. Returns end time."""
        frames = max(1, round(duration / FRAME))
        for i in range(frames):
            self.frame(t + i * FRAME, fingers)
        end = t + frames * FRAME
        if lift:
            self.frame(end, {slot: None for slot in fingers})
        return end

    def move(self, t, slots_from_to, duration):
        """Fingers moving in a straight line from one point to another; lifted at the end."""
        frames = max(2, round(duration / FRAME))
        for i in range(frames + 1):
            f = i / frames
            points = {}
            for slot, (a, b) in slots_from_to.items():
                points[slot] = (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
            self.frame(t + i * FRAME, points, noise=False)
        end = t + (frames + 1) * FRAME
        self.frame(end, {slot: None for slot in slots_from_to})
        return end

    def save(self, name):
        with open(os.path.join(HERE, name), "w") as out:
            out.write("\n".join(self.lines) + "\n")


def taps():
    p = Panel(ILITEK, 1)
    p.hold(0.500, {0: (0.25, 0.30)}, 0.080)
    p.hold(1.500, {0: (0.75, 0.60)}, 0.100)
    # A chattering contact: down 56 ms, a 16 ms bounce, down 48 ms again at the same place.
    end = p.hold(2.500, {0: (0.50, 0.40)}, 0.056)
    p.hold(end + 0.016, {0: (0.50, 0.40)}, 0.048)
    # Electrical noise: one frame, 8 ms.
    p.hold(3.500, {0: (0.62, 0.81)}, 0.008)
    # A press on the bezel edge, outside the glass's active area.
    p.hold(4.500, {0: (0.998, 0.50)}, 0.070)
    p.hold(5.500, {0: (0.50, 0.50)}, 1.200)
    p.move(7.500, {0: ((0.80, 0.50), (0.30, 0.50))}, 0.250)
    p.hold(8.500, {0: (0.10, 0.90)}, 0.090)
    p.save("taps.evemu")


def multitouch():
    p = Panel(ILITEK, 2)
    # Two-finger tap: the second finger lands 16 ms after the first and lifts 8 ms earlier.
    p.frame(0.500, {0: (0.40, 0.50)})
    p.frame(0.508, {0: (0.40, 0.50)})
    t = p.hold(0.516, {0: (0.40, 0.50), 1: (0.60, 0.50)}, 0.104, lift=False)
    p.frame(t, {1: None, 0: (0.40, 0.50)})
    p.frame(t + 0.008, {0: None})
    p.move(2.000, {0: ((0.45, 0.70), (0.45, 0.30)), 1: ((0.55, 0.70), (0.55, 0.30))}, 0.300)
    p.hold(3.500, {0: (0.30, 0.50), 1: (0.50, 0.50), 2: (0.70, 0.50)}, 0.150)
    # The technician gesture: three fingers held 3.5 s in the top-left corner.
    p.hold(5.000, {0: (0.08, 0.10), 1: (0.15, 0.12), 2: (0.10, 0.20)}, 3.500)
    p.hold(10.000, {0: (0.50, 0.50)}, 0.090)
    p.save("multitouch.evemu")


def rotated():
    # The panel is mounted turned 90 degrees clockwise: a point (x, y) on the screen is at
    # (y, 1 - x) on the panel.
    def panel(x, y):
        return (y, 1 - x)

    p = Panel(ILITEK, 3)
    p.lines.insert(1, "# Panel mounted rotated 90 degrees clockwise (portrait kiosk); replay with rotation 90")
    p.hold(0.500, {0: panel(0.20, 0.10)}, 0.080)
    p.hold(1.500, {0: panel(0.80, 0.90)}, 0.080)
    p.move(2.500, {0: (panel(0.20, 0.50), panel(0.70, 0.50))}, 0.250)
    p.save("rotated-90.evemu")


def phantom():
    p = Panel(ILITEK, 4)
    p.lines.insert(1, "# A phantom contact at the top right every 2.5 s (a cable near the inverter), among real taps")
    rng = random.Random(44)
    phantoms = [1.000 + 2.5 * i + rng.uniform(-0.002, 0.002) for i in range(8)]
    taps = {2.200: (0.30, 0.40), 6.100: (0.60, 0.70), 12.300: (0.40, 0.20)}
    events = sorted([(t, "phantom") for t in phantoms] + [(t, "tap") for t in taps])
    for t, kind in events:
        if kind == "phantom":
            p.hold(t, {0: (0.90, 0.10)}, 0.040)
        else:
            p.hold(t, {0: taps[t]}, 0.090)
    p.save("phantom-periodic.evemu")


def stuck():
    p = Panel(ILITEK, 5)
    p.lines.insert(1, "# Slot 0's contact is never released (the controller lost it); other fingers keep tapping")
    p.hold(0.500, {0: (0.35, 0.65)}, 0.200, lift=False)
    for t, point in [(5.0, (0.80, 0.20)), (10.0, (0.80, 0.30)), (21.5, (0.20, 0.20)), (23.0, (0.60, 0.30))]:
        p.hold(t, {1: point}, 0.096)
    p.save("stuck-contact.evemu")


def syn_dropped():
    p = Panel(ILITEK, 6)
    p.lines.insert(1, "# The reader fell behind twice (SYN_DROPPED); the events after each drop up to SYN_REPORT are incomplete")
    p.hold(0.500, {0: (0.30, 0.30)}, 0.080)
    # A swipe to the right...
    for i in range(20):
        p.frame(2.000 + i * FRAME, {0: (0.20 + 0.3 * i / 19, 0.60)}, noise=False)
    t = 2.000 + 20 * FRAME
    # ...then the buffer overflows: the release of that finger and the start of another are
    # lost; what follows the drop is the tail of the frame in which the second finger landed.
    p.lines.append("E: %d.%06d 0000 0003 0000\t# ++++++++++++ SYN_DROPPED (3) ++++++++++" % (int(t), round((t - int(t)) * 1e6)))
    p.frame(t, {0: None, 1: (0.70, 0.35)}, report=True)
    p.hold(t + FRAME, {1: (0.70, 0.35)}, 0.072)
    # A second drop while a finger is held still: only its position moved meanwhile.
    for i in range(4):
        p.frame(3.500 + i * FRAME, {0: (0.50, 0.80)})
    t = 3.500 + 4 * FRAME
    p.lines.append("E: %d.%06d 0000 0003 0000\t# ++++++++++++ SYN_DROPPED (3) ++++++++++" % (int(t), round((t - int(t)) * 1e6)))
    p.frame(t, {0: (0.505, 0.805)}, noise=False)
    p.hold(t + FRAME, {0: (0.505, 0.805)}, 0.040)
    p.save("syn-dropped.evemu")


def single_touch():
    p = Panel(EGALAX, 7)
    p.hold(0.500, {0: (0.30, 0.30)}, 0.096)
    p.hold(1.500, {0: (0.70, 0.70)}, 0.088)
    p.hold(2.500, {0: (0.50, 0.50)}, 1.100)
    p.move(4.500, {0: ((0.50, 0.20), (0.50, 0.75))}, 0.280)
    p.save("single-touch.evemu")


def calibration():
    # A panel whose glass is slightly skewed against the picture: the true panel-to-screen
    # matrix is SKEW; the technician touches the five standard targets in order.
    a, b, c, d, e, f = SKEW
    det = a * e - b * d

    def panel(x, y):
        x, y = x - c, y - f
        return ((e * x - b * y) / det, (-d * x + a * y) / det)

    p = Panel(ILITEK, 8)
    p.lines.insert(1, "# Calibration: the five standard targets touched in order on a skewed panel")
    p.lines.insert(2, "# True matrix: %s" % " ".join(str(v) for v in SKEW))
    targets = [(0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.1, 0.9), (0.5, 0.5)]
    for i, (x, y) in enumerate(targets):
        p.hold(1.0 + 1.5 * i, {0: panel(x, y)}, 0.104)
    p.save("calibration-skewed.evemu")


SKEW = (1.04, 0.02, -0.03, -0.015, 0.97, 0.02)


if __name__ == "__main__":
    calibration()
    taps()
    multitouch()
    rotated()
    phantom()
    stuck()
    syn_dropped()
    single_touch()
