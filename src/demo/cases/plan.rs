//! How one demo case would have gone: its cause (a Pareto over the shipped categories), its texts, and the steps taken with their times.

use rand::Rng;
use rand::rngs::StdRng;
use time::{Duration, OffsetDateTime};

use super::super::{Profile, Spec, normal};
use crate::cases::deadline::Policy;
use crate::cases::{Channel, Kind, NewCase, Priority, Request, Step};

/// One cause with its share of complaints (a Pareto: three carry 80%) and the texts of
/// its handling, in the stores' language.
pub(super) struct Cause {
    pub name: &'static str,
    pub weight: f64,
    pub department: &'static str,
    pub request: Request,
    pub complaints: [&'static str; 3],
    pub root: &'static str,
    pub solution: &'static str,
    pub remedy: &'static str,
}

#[rustfmt::skip]
const CAUSES: [Cause; 11] = [
    cause("product_quality", 42.0, "商品部", Request::Exchange, ["冰箱买回来三天就不制冷了", "洗衣机脱水时噪音很大", "电视屏幕有一条亮线"], "同批次压缩机有质量问题", "为顾客换新机并通知厂家召回同批次", "上门换新"),
    cause("delivery", 24.0, "物流配送部", Request::Apology, ["约好上午送货，等到晚上才到", "送货师傅把门框刮坏了", "空调装好后漏水"], "配送排班过满，安装师傅未按规范操作", "调整排班，重新培训安装规范", "赔偿门框修理费并道歉"),
    cause("staff_attitude", 14.0, "门店运营部", Request::Apology, ["导购员爱理不理", "收银员态度很差，还翻白眼", "问了三个员工都说不归他管"], "新员工未完成服务培训", "开展服务礼仪培训并纳入考核", "店长电话致歉"),
    cause("waiting", 5.0, "门店运营部", Request::Other, ["周末收银排队四十分钟", "售后窗口只开一个", "等了半小时没人接待"], "高峰期收银台开放不足", "周末增开收银台", "赠送优惠券"),
    cause("price_billing", 4.0, "财务部", Request::Refund, ["标价和收银价格不一样", "促销价没有算进去", "发票开错了"], "价签未随促销更新", "每日开店前核对价签", "退还差价"),
    cause("stock", 3.0, "商品部", Request::Other, ["广告上的型号店里没货", "说好三天到货，两周了还没来", "赠品送完了"], "促销备货不足", "按预售量补货", "优先调货并电话通知"),
    cause("returns", 3.0, "客服中心", Request::Refund, ["七天无理由退货被拒绝", "退款十天还没到账", "换货要求自己承担运费"], "退货政策执行不一致", "统一退货流程并公示", "办理退款"),
    cause("after_sales", 2.0, "售后服务部", Request::Repair, ["报修一周没人上门", "修了两次还是坏", "保修期内还收了上门费"], "售后网点人手不足", "增加合作维修网点", "免费上门维修"),
    cause("product_knowledge", 1.5, "门店运营部", Request::Other, ["导购说能用在两百平米，结果根本不够", "问能效等级，店员答不上来", "推荐的型号和我家不匹配"], "导购对新品参数不熟", "新品上市前组织产品培训", "协助更换合适型号"),
    cause("environment", 1.0, "门店运营部", Request::Nothing, ["卖场空调太冷", "洗手间很脏", "停车场没有指示牌"], "保洁排班不足", "增加巡检频次", "致谢并告知整改"),
    cause("other", 0.5, "客服中心", Request::Other, ["会员积分没有到账", "网上下单后门店说不知道", "电话一直打不通"], "系统对接延迟", "修复积分同步", "补发积分"),
];

#[allow(clippy::too_many_arguments)]
const fn cause(
    name: &'static str,
    weight: f64,
    department: &'static str,
    request: Request,
    complaints: [&'static str; 3],
    root: &'static str,
    solution: &'static str,
    remedy: &'static str,
) -> Cause {
    Cause {
        name,
        weight,
        department,
        request,
        complaints,
        root,
        solution,
        remedy,
    }
}

const SUGGESTIONS: [&str; 5] = [
    "建议周末多开几个收银台",
    "希望能有送货上门时间的短信提醒",
    "建议在门口放几把椅子给老人休息",
    "希望会员日能提前通知",
    "建议增加旧机回收服务",
];

const INVALID: [&str; 2] = ["与已登记案件重复", "所购商品非本公司销售"];

/// One step taken: when, at which step, what, and where it led.
pub(super) struct Act {
    pub at: OffsetDateTime,
    pub from: Step,
    pub to: Step,
    pub action: &'static str,
    pub note: Option<String>,
    pub public: bool,
}

/// A case as it would have gone, before the cut at the demo's last day.
pub(super) struct Plan {
    pub case: NewCase,
    pub cause: Option<&'static Cause>,
    pub acts: Vec<Act>,
    pub reply_at: OffsetDateTime,
    pub resolved: bool,
    pub accepted: bool,
    pub recovery: Option<(f64, bool, bool)>,
}

/// Hours, scaled by how slow this case is.
fn hours(rng: &mut StdRng, lo: f64, hi: f64, slow: f64) -> Duration {
    Duration::seconds_f64(rng.gen_range(lo..hi) * slow * 3600.0)
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|i| i.1).sum();
    let mut x = rng.r#gen::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

pub(super) fn plan(
    rng: &mut StdRng,
    p: &Profile,
    opened: OffsetDateTime,
    old: bool,
    spec: &Spec,
) -> Plan {
    let suggestion = rng.r#gen::<f64>() < 0.12;
    let kind = if suggestion {
        Kind::Suggestion
    } else {
        Kind::Complaint
    };
    let channel = if suggestion {
        pick(
            rng,
            &[
                (Channel::Survey, 50.0),
                (Channel::Web, 25.0),
                (Channel::WalkIn, 25.0),
            ],
        )
    } else {
        pick(
            rng,
            &[
                (Channel::Survey, 30.0),
                (Channel::WalkIn, 25.0),
                (Channel::Phone, 25.0),
                (Channel::Web, 15.0),
                (Channel::MysteryShop, 5.0),
            ],
        )
    };
    let priority = if suggestion {
        Priority::Low
    } else {
        pick(
            rng,
            &[
                (Priority::High, 8.0),
                (Priority::Normal, 85.0),
                (Priority::Low, 7.0),
            ],
        )
    };
    let cause = (!suggestion).then(|| {
        let weights: Vec<(usize, f64)> = CAUSES.iter().map(|c| c.weight).enumerate().collect();
        &CAUSES[pick(rng, &weights)]
    });
    let description = match cause {
        Some(c) => c.complaints[rng.gen_range(0..3)].to_owned(),
        None => SUGGESTIONS[rng.gen_range(0..SUGGESTIONS.len())].to_owned(),
    };
    // Weak stores answer and fix more slowly; one case in ten drags on.
    let slow =
        (1.0 - 0.3 * p.quality).clamp(0.7, 2.0) * if rng.r#gen::<f64>() < 0.1 { 3.0 } else { 1.0 };
    let reply_at = opened
        + Duration::seconds_f64((4f64.ln() + 1.15 * normal(rng)).exp() * 3600.0 * slow.min(1.5));
    let case = NewCase {
        kind,
        channel,
        store: p.store.code.clone(),
        department: None,
        description,
        request: cause.map_or(Request::Nothing, |c| c.request),
        contact: None,
        priority,
        opened_at: opened,
        year: opened.to_offset(spec.utc_offset).year(),
        due: Policy::default().due(priority, opened, spec.utc_offset),
    };
    let mut acts = Vec::new();
    let mut at = opened;
    let mut step = kind.first_step();
    let mut take =
        |at: OffsetDateTime, action: &'static str, to: Step, note: Option<String>, public: bool| {
            acts.push(Act {
                at,
                from: step,
                to,
                action,
                note,
                public,
            });
            step = to;
        };
    let resolved = rng.r#gen::<f64>() < (0.9 + 0.05 * p.quality).clamp(0.6, 0.97);
    let accepted = if resolved {
        rng.r#gen::<f64>() < 0.93
    } else {
        rng.r#gen::<f64>() < 0.3
    };
    // A few old cases got stuck at some step and are still open, long past their deadline.
    let stall =
        (old && rng.r#gen::<f64>() < 0.045).then(|| rng.gen_range(0..kind.steps().len() - 1));
    let steps_before_stall = stall.unwrap_or(usize::MAX);
    match cause {
        None => {
            at += hours(rng, 1.0, 24.0, slow);
            if steps_before_stall > 0 {
                take(at, "assigned", Step::Summary, None, false);
                at += hours(rng, 24.0, 240.0, slow);
                if steps_before_stall > 1 {
                    take(
                        at,
                        "closed",
                        Step::Closed,
                        Some("感谢建议，已转相关部门采纳评估".into()),
                        true,
                    );
                }
            }
        }
        Some(_) if stall.is_none() && rng.r#gen::<f64>() < 0.05 => {
            at += hours(rng, 0.5, 6.0, 1.0);
            let reason = INVALID[rng.gen_range(0..INVALID.len())];
            take(at, "invalid", Step::Closed, Some(reason.into()), true);
        }
        Some(c) => {
            let sent_back = rng.r#gen::<f64>() < 0.06;
            let flow: [(&'static str, Step, f64, f64, Option<String>); 7] = [
                ("valid", Step::Assign, 0.3, 3.0, None),
                ("assigned", Step::Cause, 0.5, 6.0, None),
                ("cause", Step::Solution, 2.0, 30.0, Some(c.root.into())),
                (
                    "proposed",
                    Step::Approval,
                    1.0,
                    24.0,
                    Some(c.solution.into()),
                ),
                if sent_back {
                    (
                        "sent_back",
                        Step::Solution,
                        1.0,
                        12.0,
                        Some("补偿方案需与厂家确认".into()),
                    )
                } else {
                    ("approved", Step::Implement, 1.0, 12.0, None)
                },
                (
                    "implemented",
                    Step::Summary,
                    4.0,
                    72.0,
                    Some(c.remedy.into()),
                ),
                ("closed", Step::Closed, 1.0, 24.0, None),
            ];
            for (action, to, lo, hi, note) in flow.into_iter().take(steps_before_stall) {
                at += hours(rng, lo, hi, slow);
                let note = if action == "closed" {
                    Some(
                        if resolved {
                            "顾客认可处理结果"
                        } else {
                            "未能达成一致，已记录"
                        }
                        .into(),
                    )
                } else {
                    note
                };
                take(at, action, to, note, action == "closed");
                if action == "sent_back" {
                    at += hours(rng, 2.0, 24.0, slow);
                    take(
                        at,
                        "proposed",
                        Step::Approval,
                        Some(c.solution.into()),
                        false,
                    );
                    at += hours(rng, 1.0, 12.0, slow);
                    take(at, "approved", Step::Implement, None, false);
                }
            }
        }
    }
    let valid_close = cause.is_some() && acts.last().is_some_and(|a| a.action == "closed");
    let recovery = (valid_close && rng.r#gen::<f64>() < 0.5).then(|| {
        let satisfied = rng.r#gen::<f64>() < if resolved { 0.82 } else { 0.25 };
        let again = rng.r#gen::<f64>() < if satisfied { 0.85 } else { 0.3 };
        (rng.gen_range(2.0..72.0), satisfied, again)
    });
    let reply_at = if stall.is_some() && rng.r#gen::<f64>() < 0.4 {
        opened + Duration::days(3650)
    } else {
        reply_at
    };
    Plan {
        case,
        cause,
        acts,
        reply_at,
        resolved,
        accepted,
        recovery,
    }
}
