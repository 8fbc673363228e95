//! The labelled exit-intent traces (`traces.jsonl`, written by
//! `generate.py`) and how a preset scores on them. Shared by the tests and
//! the core benchmark.

use shelfwise_core::exit::{Detector, Input, Thresholds, Trigger, Viewport};

/// One labelled trace.
pub struct Trace {
    pub name: String,
    pub mobile: bool,
    pub exit: bool,
    pub viewport: Viewport,
    pub inputs: Vec<(u64, Input)>,
}

/// Every trace of the corpus.
pub fn traces() -> Vec<Trace> {
    include_str!("traces.jsonl")
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let num = |e: &serde_json::Value, i: usize| e[i].as_f64().unwrap() as f32;
            let inputs = v["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let at = e[0].as_u64().unwrap();
                    let input = match e[1].as_str().unwrap() {
                        "move" => Input::PointerMove {
                            x: num(e, 2),
                            y: num(e, 3),
                        },
                        "leave" => Input::PointerLeave {
                            x: num(e, 2),
                            y: num(e, 3),
                        },
                        "pointerdown" => Input::PointerDown {
                            x: num(e, 2),
                            y: num(e, 3),
                        },
                        "pointerup" => Input::PointerUp,
                        "scroll" => Input::Scroll { y: num(e, 2) },
                        "typing" => Input::Typing,
                        "focus" => Input::FieldFocus(num(e, 2) != 0.0),
                        "hidden" => Input::Hidden(num(e, 2) != 0.0),
                        "cart" => Input::Cart(num(e, 2) as u32),
                        "tick" => Input::Tick,
                        other => panic!("unknown input {other}"),
                    };
                    (at, input)
                })
                .collect();
            Trace {
                name: v["name"].as_str().unwrap().to_owned(),
                mobile: v["device"] == "mobile",
                exit: v["label"] == "exit",
                viewport: Viewport {
                    width: num(&v["viewport"], 0),
                    height: num(&v["viewport"], 1),
                },
                inputs,
            }
        })
        .collect()
}

/// The first trigger of a fresh detector over `trace`.
pub fn first_trigger(trace: &Trace, thresholds: Thresholds) -> Option<Trigger> {
    let mut detector = Detector::new(thresholds, trace.viewport, 0);
    trace
        .inputs
        .iter()
        .find_map(|&(at, input)| detector.input(at, input))
}

/// How a preset does on the corpus.
#[derive(Debug, Default)]
pub struct Score {
    pub exits: u32,
    pub caught: u32,
    pub stays: u32,
    pub false_alarms: u32,
    pub missed: Vec<String>,
    pub alarmed: Vec<String>,
}

impl Score {
    pub fn recall(&self) -> f64 {
        f64::from(self.caught) / f64::from(self.exits.max(1))
    }

    pub fn precision(&self) -> f64 {
        let fired = self.caught + self.false_alarms;
        f64::from(self.caught) / f64::from(fired.max(1))
    }

    pub fn false_alarm_rate(&self) -> f64 {
        f64::from(self.false_alarms) / f64::from(self.stays.max(1))
    }
}

/// Scores `thresholds` on the traces `keep` selects.
pub fn score(traces: &[Trace], thresholds: Thresholds, keep: impl Fn(&Trace) -> bool) -> Score {
    let mut s = Score::default();
    for trace in traces.iter().filter(|t| keep(t)) {
        let fired = first_trigger(trace, thresholds).is_some();
        match (trace.exit, fired) {
            (true, true) => s.caught += 1,
            (true, false) => s.missed.push(trace.name.clone()),
            (false, true) => {
                s.false_alarms += 1;
                s.alarmed.push(trace.name.clone());
            }
            (false, false) => {}
        }
        if trace.exit {
            s.exits += 1;
        } else {
            s.stays += 1;
        }
    }
    s
}
