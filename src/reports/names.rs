//! The names of what reports show: indicators (metrics) and charts, with their URL slugs and labels.

use crate::i18n::Lang;
use crate::i18n::reports::Report;

/// One indicator a trend or league can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Csat,
    Reputation,
    Nps,
    Return,
    Complaints,
    Mystery,
    Revenue,
    Ticket,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::Csat,
        Metric::Reputation,
        Metric::Nps,
        Metric::Return,
        Metric::Complaints,
        Metric::Mystery,
        Metric::Revenue,
        Metric::Ticket,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Metric::Csat => "csat",
            Metric::Reputation => "reputation",
            Metric::Nps => "nps",
            Metric::Return => "return",
            Metric::Complaints => "complaints",
            Metric::Mystery => "mystery",
            Metric::Revenue => "revenue",
            Metric::Ticket => "ticket",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Metric::Csat => Report::MetricCsat,
            Metric::Reputation => Report::MetricReputation,
            Metric::Nps => Report::MetricNps,
            Metric::Return => Report::MetricReturn,
            Metric::Complaints => Report::MetricComplaints,
            Metric::Mystery => Report::MetricMystery,
            Metric::Revenue => Report::MetricRevenue,
            Metric::Ticket => Report::MetricTicket,
        }
        .text(lang)
    }

    /// Lower is better only for complaints.
    pub(super) fn higher_is_better(self) -> bool {
        self != Metric::Complaints
    }
}

/// Every chart with its own URL: `/reports/{slug}/chart.svg` and `/data.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartName {
    Trend(Metric),
    League(Metric),
    NpsMix,
    Gaps,
    Awareness,
    Heatmap,
}

impl ChartName {
    pub fn parse(s: &str) -> Option<ChartName> {
        let metric = |m: &str| Metric::ALL.into_iter().find(|x| x.slug() == m);
        match s {
            "nps-mix" => Some(ChartName::NpsMix),
            "gaps" => Some(ChartName::Gaps),
            "awareness" => Some(ChartName::Awareness),
            "heatmap" => Some(ChartName::Heatmap),
            _ => match s.split_once('-')? {
                ("trend", m) => metric(m).map(ChartName::Trend),
                ("league", m) => metric(m).map(ChartName::League),
                _ => None,
            },
        }
    }

    pub fn slug(self) -> String {
        match self {
            ChartName::Trend(m) => format!("trend-{}", m.slug()),
            ChartName::League(m) => format!("league-{}", m.slug()),
            ChartName::NpsMix => "nps-mix".into(),
            ChartName::Gaps => "gaps".into(),
            ChartName::Awareness => "awareness".into(),
            ChartName::Heatmap => "heatmap".into(),
        }
    }
}

impl ChartName {
    /// The data this chart is drawn from, so a single chart reads only that.
    pub fn parts(self) -> super::data::Parts {
        use super::data::Parts;
        let metric = |m: Metric, p: Parts| Parts {
            sales: matches!(m, Metric::Complaints | Metric::Revenue | Metric::Ticket),
            audits: m == Metric::Mystery,
            ..p
        };
        match self {
            ChartName::Trend(m) => metric(
                m,
                Parts {
                    stats: true,
                    ..Parts::NONE
                },
            ),
            // Complaint leagues need the per-period sales too, to know whether sales data exist.
            ChartName::League(m) => metric(
                m,
                Parts {
                    store_stats: true,
                    stats: m == Metric::Complaints,
                    ..Parts::NONE
                },
            ),
            ChartName::NpsMix => Parts {
                stats: true,
                ..Parts::NONE
            },
            ChartName::Gaps => Parts {
                gaps: true,
                ..Parts::NONE
            },
            ChartName::Awareness => Parts {
                channels: true,
                ..Parts::NONE
            },
            ChartName::Heatmap => Parts {
                heat: true,
                ..Parts::NONE
            },
        }
    }
}
