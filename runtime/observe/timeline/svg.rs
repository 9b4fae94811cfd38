//! The timeline as a self-contained SVG picture.
//!
//! ```text
//!   loop      │      ░park 1.00 s░      ░park 1.00 s░
//!   block_on  │ ██                 ...                       ██
//!   task 2    │    █ ─────────────────► █  (a timer woke it)
//!   task 3    │     █                       ...
//!             └──┬──────────┬──────────────────────────────────► time
//!                0         85 µs       1.000 s
//! ```
//!
//! One lane per task, labelled with its name or id, plus `block_on` and the
//! loop; a bar per poll (blue: returned `Pending`, green: `Ready`); parks
//! as shaded gaps across every lane; wakes as arrows from the source's lane
//! to the target's next poll, coloured by source.
//!
//! The x axis is not linear in time: a program's polls take microseconds
//! and its parks seconds, and on a linear axis the polls would vanish. So
//! every event gets its own step, and the step grows with the log of the
//! time since the previous event (`step`): a poll is always visible, a park
//! of one second is visibly longer than one of a millisecond, and the tick
//! labels give real times since the first event.
//!
//! Elements carry `class` and `data-*` attributes (`class="poll"
//! data-lane="task 3" data-outcome="ready"`) so a test, or a curious
//! reader, can find them.

use std::fmt::Write;
use std::time::{Duration, Instant};

use super::{source_kind, source_name, Event, Lane, PollSpan, Timeline};

/// Events and lanes drawn at most; the JSON has every one.
const MAX_DRAWN: usize = 4_000;
const MAX_LANES: usize = 64;
/// Width of the lane labels.
const LABEL_W: f64 = 190.0;
/// Height of one lane, and of a poll bar within it.
const LANE_H: f64 = 30.0;
const BAR_H: f64 = 16.0;
/// Top margin (title) and the space below the lanes (axis, legend).
const TOP: f64 = 44.0;
const BOTTOM: f64 = 140.0;
/// Narrowest picture: room for the legend.
const MIN_W: f64 = 620.0;
const RIGHT: f64 = 30.0;

/// Colours by wake source kind, also the legend's order.
const SOURCES: [(&str, &str); 7] = [
    ("task", "#1f77b4"),
    ("timer", "#e6550d"),
    ("io", "#2ca02c"),
    ("remote", "#9467bd"),
    ("blocking", "#8c564b"),
    ("block_on", "#17becf"),
    ("spawn", "#7f7f7f"),
];
const POLL_PENDING: &str = "#6baed6";
const POLL_READY: &str = "#31a354";
const PARK: &str = "#d9d9d9";

/// The picture, as the text of an SVG file.
pub(super) fn picture(timeline: &Timeline) -> String {
    let events = &timeline.events()[..timeline.events().len().min(MAX_DRAWN)];
    let all_lanes = timeline.lanes();
    let lanes = &all_lanes[..all_lanes.len().min(MAX_LANES)];
    let drawn = |lane: &Lane| lanes.contains(lane);
    let origin = timeline.origin().unwrap_or_else(Instant::now);
    let (xs, plot_w) = positions(events);
    let lane_y = |lane: Lane| {
        let row = lanes.iter().position(|&l| l == lane).unwrap_or(0);
        TOP + row as f64 * LANE_H
    };
    let lanes_h = lanes.len() as f64 * LANE_H;
    let width = (LABEL_W + plot_w + RIGHT).max(MIN_W);
    let height = TOP + lanes_h + BOTTOM;
    let x = |index: usize| LABEL_W + xs[index];

    let mut svg = String::new();
    let polls = timeline.polls();
    let wakes = events
        .iter()
        .filter(|e| matches!(e, Event::Wake { .. }))
        .count();
    let parks = events
        .iter()
        .filter(|e| matches!(e, Event::Park { .. }))
        .count();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
<title>coop timeline</title>
<defs>
"##
    );
    for (kind, colour) in SOURCES {
        let _ = writeln!(
            svg,
            r#"<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>"#
        );
    }
    let _ = writeln!(svg, "</defs>");
    let _ = writeln!(
        svg,
        r#"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="white"/>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="10" y="22" font-size="15" font-weight="bold">coop timeline: {}, {}, {}, {}</text>"#,
        count(all_lanes.len(), "lane"),
        count(polls.len(), "poll"),
        count(wakes, "wake"),
        count(parks, "park"),
    );

    // Lanes: a stripe and a label each.
    for (row, &lane) in lanes.iter().enumerate() {
        let y = TOP + row as f64 * LANE_H;
        let fill = if row % 2 == 0 { "#f7f7f7" } else { "#ffffff" };
        let label = esc(&timeline.label(lane));
        let mut title = label.clone();
        if let Lane::Task(id) = lane {
            if let Some(at) = timeline.task_info(id).and_then(|task| task.spawned_at) {
                let _ = write!(title, ", spawned at {}", esc(&at.to_string()));
            }
        }
        let _ = writeln!(
            svg,
            r#"<g class="lane" data-lane="{label}"><title>{title}</title><rect x="0" y="{y:.1}" width="{width:.0}" height="{LANE_H}" fill="{fill}"/><text x="10" y="{ty:.1}">{label}</text></g>"#,
            ty = y + LANE_H / 2.0 + 4.0,
        );
    }

    // Parks: shaded gaps across every lane, labelled on the loop's lane.
    for (index, event) in events.iter().enumerate() {
        if let Event::Park {
            from,
            to,
            events: io_events,
            timers_fired,
        } = *event
        {
            let (x0, x1) = (x(index * 2), x(index * 2 + 1));
            let took = fmt_duration(to.saturating_duration_since(from));
            let _ = write!(
                svg,
                r#"<g class="park" data-duration-us="{:.3}"><title>park {took}: {io_events} I/O events, {timers_fired} timers fired</title><rect x="{x0:.1}" y="{TOP}" width="{w:.1}" height="{lanes_h}" fill="{PARK}" fill-opacity="0.7"/>"#,
                to.saturating_duration_since(from).as_secs_f64() * 1e6,
                w = (x1 - x0).max(1.0),
            );
            if x1 - x0 >= 60.0 {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#444">park {took}</text>"##,
                    (x0 + x1) / 2.0,
                    TOP + LANE_H / 2.0 + 4.0
                );
            }
            let _ = writeln!(svg, "</g>");
        }
    }

    // Polls: a bar each.
    for poll in polls
        .iter()
        .filter(|poll| poll.end_event < events.len() && drawn(&poll.lane))
    {
        let (x0, x1) = (x(poll.start_event * 2), x(poll.end_event * 2));
        let y = lane_y(poll.lane) + (LANE_H - BAR_H) / 2.0;
        let (outcome, fill) = match poll.ready {
            Some(true) => ("ready", POLL_READY),
            Some(false) => ("pending", POLL_PENDING),
            None => ("unfinished", POLL_PENDING),
        };
        let label = esc(&timeline.label(poll.lane));
        let took = fmt_duration(poll.end.saturating_duration_since(poll.start));
        let _ = writeln!(
            svg,
            r##"<g class="poll" data-lane="{label}" data-outcome="{outcome}"><title>{label}: poll {took}, {outcome}</title><rect x="{x0:.1}" y="{y:.1}" width="{w:.1}" height="{BAR_H}" rx="2" fill="{fill}" stroke="#333" stroke-width="0.5"/></g>"##,
            w = (x1 - x0).max(3.0),
        );
    }

    // Wakes: an arrow from the source lane to the target's next poll.
    for (index, event) in events.iter().enumerate() {
        if let Event::Wake {
            source,
            from,
            target,
            ..
        } = *event
        {
            if !drawn(&from) || !drawn(&target) {
                continue;
            }
            let kind = source_kind(source);
            let colour = colour(kind);
            let x0 = x(index * 2);
            let x1 = next_poll(&polls, target, index).map_or(x0, |poll| x(poll.start_event * 2));
            let (y0, y1) = (lane_y(from) + LANE_H / 2.0, lane_y(target) + LANE_H / 2.0);
            let path = if from == target {
                // Woke itself (a yield): a hop over the lane.
                let top = y0 - LANE_H / 2.0 + 2.0;
                format!(
                    "M{x0:.1},{:.1} C{x0:.1},{top:.1} {x1:.1},{top:.1} {x1:.1},{:.1}",
                    y0 - BAR_H / 2.0,
                    y1 - BAR_H / 2.0
                )
            } else {
                // Stop at the edge of the target's bar, not its middle.
                let y1 = if y1 > y0 {
                    y1 - BAR_H / 2.0
                } else {
                    y1 + BAR_H / 2.0
                };
                format!("M{x0:.1},{y0:.1} L{x1:.1},{y1:.1}")
            };
            let dash = if kind == "spawn" {
                r#" stroke-dasharray="4 3""#
            } else {
                ""
            };
            let _ = writeln!(
                svg,
                r#"<g class="wake" data-source="{}" data-kind="{kind}" data-from="{}" data-target="{}"><title>{} woke {}</title><path d="{path}" fill="none" stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#arrow-{kind})"/><circle cx="{x0:.1}" cy="{y0:.1}" r="2.5" fill="{colour}"/></g>"#,
                esc(&source_name(source)),
                esc(&timeline.label(from)),
                esc(&timeline.label(target)),
                esc(&source_name(source)),
                esc(&timeline.label(target)),
            );
        }
    }

    // The time axis, with real times at its ends and around each park.
    let axis_y = TOP + lanes_h + 8.0;
    let _ = writeln!(
        svg,
        r##"<g class="axis"><line x1="{LABEL_W}" y1="{axis_y:.1}" x2="{:.1}" y2="{axis_y:.1}" stroke="#333"/><text x="10" y="{:.1}">time</text>"##,
        LABEL_W + plot_w,
        axis_y + 18.0
    );
    let mut ticks: Vec<(f64, Instant)> = Vec::new();
    if let (Some(first), Some(last)) = (events.first(), events.len().checked_sub(1)) {
        ticks.push((x(0), first.span().0));
        for (index, event) in events.iter().enumerate() {
            if let Event::Park { from, to, .. } = *event {
                ticks.push((x(index * 2), from));
                ticks.push((x(index * 2 + 1), to));
            }
        }
        ticks.push((x(last * 2 + 1), events[last].span().1));
    }
    let mut last_label = (f64::NEG_INFINITY, String::new());
    for (tx, at) in ticks {
        let text = fmt_duration(at.saturating_duration_since(origin));
        let _ = write!(
            svg,
            r##"<line x1="{tx:.1}" y1="{axis_y:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#333"/>"##,
            axis_y + 5.0
        );
        // Room for the label, and no repeat of the one before it.
        if tx - last_label.0 >= 64.0 && text != last_label.1 {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{tx:.1}" y="{:.1}" text-anchor="middle">{text}</text>"#,
                axis_y + 18.0,
            );
            last_label = (tx, text);
        }
    }
    let _ = writeln!(svg, "</g>");

    // The legend and a note on the axis.
    let ly = axis_y + 44.0;
    let _ = write!(svg, r#"<g class="legend">"#);
    let mut lx = 10.0;
    swatch(
        &mut svg,
        &mut lx,
        ly,
        Some(POLL_PENDING),
        "poll: Pending",
        true,
    );
    swatch(&mut svg, &mut lx, ly, Some(POLL_READY), "poll: Ready", true);
    swatch(&mut svg, &mut lx, ly, Some(PARK), "park", true);
    let (ly, mut lx) = (ly + 20.0, 10.0);
    swatch(&mut svg, &mut lx, ly, None, "wake from:", false);
    for (kind, colour) in SOURCES {
        swatch(&mut svg, &mut lx, ly, Some(colour), kind, false);
    }
    let mut note = String::from(
        "x axis: one step per event, longer for longer waits (log scale); ticks: real time since the first event",
    );
    if lanes.len() < all_lanes.len() {
        let _ = write!(
            note,
            "; showing the first {} of {} lanes",
            lanes.len(),
            all_lanes.len()
        );
    }
    if timeline.dropped() > 0 || events.len() < timeline.events().len() {
        let _ = write!(
            note,
            "; showing the first {} of {} events (the JSON has all recorded)",
            events.len(),
            timeline.events().len() as u64 + timeline.dropped()
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="10" y="{:.1}" fill="#555" font-size="10.5">{}</text></g>"##,
        ly + 24.0,
        esc(&note)
    );
    svg.push_str("</svg>\n");
    svg
}

/// One legend entry at `lx`: a bar or line swatch (none for a heading)
/// and its text; moves `lx` past it.
fn swatch(svg: &mut String, lx: &mut f64, ly: f64, fill: Option<&str>, text: &str, bar: bool) {
    let x = *lx;
    let text_x = match fill {
        Some(fill) if bar => {
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{:.1}" width="14" height="10" fill="{fill}" stroke="#333" stroke-width="0.5"/>"##,
                ly - 9.0
            );
            x + 18.0
        }
        Some(fill) => {
            let _ = write!(
                svg,
                r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{fill}" stroke-width="2"/>"#,
                x + 14.0,
                y = ly - 4.0,
            );
            x + 18.0
        }
        None => x,
    };
    let _ = write!(
        svg,
        r#"<text x="{text_x:.1}" y="{ly:.1}">{}</text>"#,
        esc(text)
    );
    *lx = text_x + 8.0 + 7.0 * text.chars().count() as f64;
}

/// x positions (relative to the plot's left edge) of two slots per event,
/// `2 * i` and `2 * i + 1` (a park's start and end; other events use the
/// first and put the second right after it), and the plot's width.
fn positions(events: &[Event]) -> (Vec<f64>, f64) {
    let mut xs = Vec::with_capacity(events.len() * 2);
    let mut x = 12.0;
    let mut last: Option<Instant> = None;
    for event in events {
        let (start, end) = event.span();
        x += last.map_or(0.0, |last| step(start.saturating_duration_since(last)));
        xs.push(x);
        if matches!(event, Event::Park { .. }) {
            x += step(end.saturating_duration_since(start));
        }
        xs.push(x);
        last = Some(end.max(start));
    }
    (xs, x + 12.0)
}

/// How far apart two events are drawn: 8 px, plus a term that grows with
/// the square of the log of the time between them (10 µs: ~13 px, 1 ms:
/// ~44 px, 1 s: ~152 px, 1 h: ~375 px).
fn step(gap: Duration) -> f64 {
    let log = (1.0 + gap.as_secs_f64() * 1e6).log10();
    8.0 + 4.0 * log * log
}

/// The next poll of `lane` that starts after event `index`.
fn next_poll(polls: &[PollSpan], lane: Lane, index: usize) -> Option<&PollSpan> {
    polls
        .iter()
        .find(|poll| poll.lane == lane && poll.start_event > index)
}

fn colour(kind: &str) -> &'static str {
    SOURCES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("#000000", |(_, colour)| colour)
}

/// `1 park`, `3 parks`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `0`, `85 µs`, `12.5 ms`, `1.000 s`.
fn fmt_duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us == 0.0 {
        "0".to_owned()
    } else if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.1} ms", us / 1e3)
    } else {
        format!("{:.3} s", us / 1e6)
    }
}

/// Escapes text for XML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
