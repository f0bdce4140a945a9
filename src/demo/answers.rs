//! Plausible answers for the shipped surveys and checklist, shaped by a store's quality.

use rand::Rng;
use rand::rngs::StdRng;

use super::normal;
use crate::answers::RawAnswers;

fn put(raw: &mut RawAnswers, name: &str, value: impl ToString) {
    raw.entry(name.to_owned())
        .or_default()
        .push(value.to_string());
}

fn clamp_round(v: f64, lo: i64, hi: i64) -> i64 {
    (v.round() as i64).clamp(lo, hi)
}

const COMPLAINTS: [&str; 5] = [
    "收银台排队太久，只开了一个窗口。",
    "店员对产品参数不熟悉，问了三次都说不清。",
    "标价和结账价格不一致，后来才退回差价。",
    "The delivery date they promised was not kept.",
    "没有人主动招呼，等了很久才有人过来。",
];

/// A customer's answers; `quality` around 0 is an average visit, negative a poor one.
pub fn customer(form: &str, quality: f64, rng: &mut StdRng) -> RawAnswers {
    let mut raw = RawAnswers::new();
    let sat = clamp_round(3.9 + 0.6 * quality + 0.9 * normal(rng), 1, 5);
    let recommend = clamp_round(2.0 * sat as f64 - 0.6 + 1.4 * normal(rng), 0, 10);
    let unhappy = sat <= 3 || recommend <= 6;
    let complaint = unhappy && rng.r#gen::<f64>() < 0.4;
    if form == "after-service" {
        let service = ["delivery", "installation", "repair"][rng.gen_range(0..3)];
        put(&mut raw, "service_type", service);
        put(
            &mut raw,
            "on_time",
            if rng.r#gen::<f64>() < 0.8 + 0.1 * quality {
                "yes"
            } else {
                "no"
            },
        );
        if rng.r#gen::<f64>() < 0.5 {
            put(
                &mut raw,
                "days_waited",
                clamp_round(3.0 - quality + 2.0 * normal(rng).abs(), 0, 90),
            );
        }
        if service == "repair" {
            put(
                &mut raw,
                "fixed",
                if rng.r#gen::<f64>() < 0.85 {
                    "yes"
                } else {
                    "no"
                },
            );
        }
        put(
            &mut raw,
            "staff_rating",
            clamp_round(sat as f64 + 0.6 * normal(rng), 1, 5),
        );
        put(&mut raw, "overall", sat);
        put(&mut raw, "recommend", recommend);
        put(&mut raw, "complaint", if complaint { "yes" } else { "no" });
        if complaint || sat <= 3 {
            put(
                &mut raw,
                "comment",
                COMPLAINTS[rng.gen_range(0..COMPLAINTS.len())],
            );
        }
        return raw;
    }
    put(&mut raw, "overall_satisfaction", sat);
    put(&mut raw, "recommend", recommend);
    let first = rng.r#gen::<f64>() < (0.35 - 0.12 * quality).clamp(0.1, 0.7);
    put(&mut raw, "first_purchase", if first { "yes" } else { "no" });
    let channels = [
        ("friend", 0.3),
        ("passing", 0.25),
        ("online", 0.2),
        ("social", 0.15),
        ("ad", 0.07),
        ("other", 0.03),
    ];
    for _ in 0..if rng.r#gen::<f64>() < 0.3 { 2 } else { 1 } {
        let mut x = rng.r#gen::<f64>();
        let pick = channels.iter().find(|(_, w)| {
            x -= w;
            x < 0.0
        });
        put(&mut raw, "heard_from", pick.map_or("other", |(c, _)| c));
    }
    // Expectation, then experience = expectation + the aspect's typical gap + the store's quality.
    if rng.r#gen::<f64>() < 0.8 {
        for (aspect, gap) in [
            ("price", -0.45),
            ("service", -0.2),
            ("quality", 0.1),
            ("environment", 0.0),
        ] {
            let expected = 3.7 + 0.7 * normal(rng);
            put(
                &mut raw,
                &format!("expect_{aspect}"),
                clamp_round(expected, 1, 5),
            );
            let weak_service = if aspect == "service" {
                0.5 * quality
            } else {
                0.3 * quality
            };
            put(
                &mut raw,
                &format!("exp_{aspect}"),
                clamp_round(expected + gap + weak_service + 0.8 * normal(rng), 1, 5),
            );
        }
    }
    if unhappy {
        put(&mut raw, "complaint", if complaint { "yes" } else { "no" });
        if complaint {
            put(
                &mut raw,
                "complaint_text",
                COMPLAINTS[rng.gen_range(0..COMPLAINTS.len())],
            );
        }
        if rng.r#gen::<f64>() < 0.3 {
            put(&mut raw, "suggestion", "希望多开几个收银台，周末人太多。");
        }
    }
    raw
}

/// A mystery shopper's answers to the shipped store audit, and comments on failed items.
pub fn audit(quality: f64, rng: &mut StdRng) -> (RawAnswers, Vec<(String, String)>) {
    let mut raw = RawAnswers::new();
    let mut comments = Vec::new();
    let pass = (0.82 + 0.12 * quality).clamp(0.3, 0.98);
    let mut yes_no = |raw: &mut RawAnswers, rng: &mut StdRng, name: &str, p: f64| {
        let ok = rng.r#gen::<f64>() < p;
        put(raw, name, if ok { "yes" } else { "no" });
        if !ok {
            comments.push((
                name.to_owned(),
                "Observed during the visit; see photo.".to_owned(),
            ));
        }
    };
    let greet = (18.0 - 20.0 * quality + 15.0 * normal(rng).abs())
        .max(2.0)
        .round();
    put(&mut raw, "seconds_to_greet", greet);
    for name in [
        "greet_smile",
        "staff_uniform",
        "entrance_clean",
        "shelves_stocked",
        "price_tags",
        "explained_energy",
        "asked_needs",
        "suitable_offer",
        "receipt_given",
        "thanked",
        "aftercare_explained",
    ] {
        yes_no(&mut raw, rng, name, pass);
    }
    yes_no(&mut raw, rng, "no_pressure", (pass + 0.1).min(0.99));
    yes_no(&mut raw, rng, "price_matched", 0.985);
    if rng.r#gen::<f64>() < 0.2 {
        put(&mut raw, "restroom_clean", "na");
    } else {
        yes_no(&mut raw, rng, "restroom_clean", pass);
    }
    let knowledge = if rng.r#gen::<f64>() < pass {
        "expert"
    } else if rng.r#gen::<f64>() < 0.7 {
        "basic"
    } else {
        "poor"
    };
    put(&mut raw, "product_answers", knowledge);
    put(
        &mut raw,
        "confidence",
        clamp_round(3.8 + quality + 0.8 * normal(rng), 1, 5),
    );
    let wait = (2.5 - quality + 1.2 * normal(rng).abs()).max(0.5);
    put(&mut raw, "minutes_waiting", format!("{wait:.1}"));
    put(
        &mut raw,
        "follow_up_offered",
        if rng.r#gen::<f64>() < 0.3 {
            "yes"
        } else {
            "no"
        },
    );
    if greet > 30.0 {
        comments.push((
            "seconds_to_greet".into(),
            format!("Greeted after {greet} seconds."),
        ));
    }
    if wait >= 4.0 {
        comments.push((
            "minutes_waiting".into(),
            format!("Waited {wait:.1} minutes at the till."),
        ));
    }
    (raw, comments)
}
