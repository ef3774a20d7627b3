//! The manager screen's state machine: which view is up, what is selected, the filters and the
//! picker, changed only by [`update`]. Loading is an [`Effect`] the event loop carries out.

use super::data::{Data, Filter};
use crate::stats::PeriodKey;

/// A key, already stripped of what the screen ignores (releases, Ctrl combinations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Left,
    Right,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
}

/// The views Tab moves between, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Trends,
    WhereToAct,
    Comments,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Overview, Tab::Trends, Tab::WhereToAct, Tab::Comments];

    /// The view's name on the tab bar.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Trends => "Trends",
            Tab::WhereToAct => "Where to act first",
            Tab::Comments => "Comments",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    fn step(self, by: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
}

/// A list to choose a filter from, drawn over the current view; it takes every key until closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picker {
    /// Choices: every period (`None`), then the periods newest first.
    Period {
        choices: Vec<Option<PeriodKey>>,
        selected: usize,
    },
    /// Choices: every site (`None`), then each site.
    Site {
        choices: Vec<Option<String>>,
        selected: usize,
    },
}

/// Input the screen reacts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(Key),
    /// New figures for the filter last asked for, or why they could not be made.
    Loaded(Result<Box<Data>, String>),
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Build the figures for this filter and send them back as [`Msg::Loaded`].
    Load(Filter),
}

/// Everything on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub data: Data,
    /// The filter `data` was built for.
    pub filter: Filter,
    pub tab: Tab,
    /// The theme whose page is open (an index into the survey's themes).
    pub theme_page: Option<usize>,
    /// Selected theme on the overview and trends views (survey order).
    pub theme: usize,
    /// Selected row of the where-to-act list.
    pub act_row: usize,
    /// Selected item on a theme's page.
    pub item: usize,
    /// First comment shown.
    pub comment: usize,
    pub picker: Option<Picker>,
    /// A filter is being loaded.
    pub loading: Option<Filter>,
    /// The last load failed: what to tell the manager.
    pub error: Option<String>,
    quit: bool,
}

impl Model {
    /// The overview of `data`, built for `filter`.
    pub fn new(data: Data, filter: Filter) -> Model {
        Model {
            data,
            filter,
            tab: Tab::Overview,
            theme_page: None,
            theme: 0,
            act_row: 0,
            item: 0,
            comment: 0,
            picker: None,
            loading: None,
            error: None,
            quit: false,
        }
    }

    /// True once the manager asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    fn theme_count(&self) -> usize {
        self.data.overall.themes.len()
    }

    fn comment_count(&self) -> usize {
        self.data.comments.as_ref().map_or(0, Vec::len)
    }

    /// The theme the where-to-act list has selected, as an index into the summary's themes.
    fn act_theme(&self) -> Option<usize> {
        let w = &self.data.where_to_act;
        let id = match w.ranked.get(self.act_row) {
            Some(p) => &p.id,
            None => &w.not_ranked.get(self.act_row - w.ranked.len())?.id,
        };
        self.data.overall.themes.iter().position(|t| &t.id == id)
    }

    fn act_rows(&self) -> usize {
        self.data.where_to_act.ranked.len() + self.data.where_to_act.not_ranked.len()
    }

    fn open_period_picker(&mut self) {
        let mut choices: Vec<Option<PeriodKey>> = vec![None];
        choices.extend(self.data.periods.iter().rev().copied().map(Some));
        let selected = choices
            .iter()
            .position(|c| *c == self.filter.period)
            .unwrap_or(0);
        self.picker = Some(Picker::Period { choices, selected });
    }

    fn open_site_picker(&mut self) {
        let mut choices: Vec<Option<String>> = vec![None];
        choices.extend(self.data.sites.iter().cloned().map(Some));
        let selected = choices
            .iter()
            .position(|c| *c == self.filter.site)
            .unwrap_or(0);
        self.picker = Some(Picker::Site { choices, selected });
    }

    fn load(&mut self, filter: Filter) -> Option<Effect> {
        self.loading = Some(filter.clone());
        self.error = None;
        Some(Effect::Load(filter))
    }
}

/// Move `at` by `by` within `0..len`, stopping at the ends.
fn moved(at: usize, by: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    at.saturating_add_signed(by).min(len - 1)
}

fn step_of(key: Key) -> Option<isize> {
    Some(match key {
        Key::Up => -1,
        Key::Down => 1,
        Key::PageUp => -10,
        Key::PageDown => 10,
        Key::Home => isize::MIN / 2,
        Key::End => isize::MAX / 2,
        _ => return None,
    })
}

/// Apply one message; the returned effect, if any, is for the event loop.
pub fn update(model: &mut Model, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Loaded(result) => {
            let asked = model.loading.take();
            match result {
                Ok(data) => {
                    model.data = *data;
                    if let Some(filter) = asked {
                        model.filter = filter;
                    }
                    model.theme = moved(model.theme, 0, model.theme_count());
                    model.act_row = 0;
                    model.item = 0;
                    model.comment = 0;
                    // A period picker stays open across a change of granularity, with the new list.
                    if matches!(model.picker, Some(Picker::Period { .. })) {
                        model.open_period_picker();
                    }
                }
                Err(e) => model.error = Some(e),
            }
            None
        }
        Msg::Key(key) => on_key(model, key),
    }
}

fn on_key(model: &mut Model, key: Key) -> Option<Effect> {
    if model.picker.is_some() {
        return on_picker_key(model, key);
    }
    if model.loading.is_some() && key != Key::Char('q') {
        return None;
    }
    match key {
        Key::Char('q' | 'Q') => model.quit = true,
        Key::Tab | Key::Right => {
            model.tab = model.tab.step(1);
            model.theme_page = None;
        }
        Key::BackTab | Key::Left => {
            model.tab = model.tab.step(-1);
            model.theme_page = None;
        }
        Key::Char(c @ '1'..='4') => {
            model.tab = Tab::ALL[usize::from(c as u8 - b'1')];
            model.theme_page = None;
        }
        Key::Esc => model.theme_page = None,
        Key::Char('p' | 'P') => model.open_period_picker(),
        Key::Char('s' | 'S') => model.open_site_picker(),
        Key::Char('g' | 'G') => {
            let next = model.filter.granularity_step(1, true);
            return model.load(model.filter.with_granularity(next));
        }
        Key::Enter => {
            if model.theme_page.is_none() {
                let theme = match model.tab {
                    Tab::Overview | Tab::Trends => Some(model.theme),
                    Tab::WhereToAct => model.act_theme(),
                    Tab::Comments => None,
                };
                if let Some(t) = theme.filter(|&t| t < model.theme_count()) {
                    model.theme_page = Some(t);
                    model.item = 0;
                }
            }
        }
        key => {
            let by = step_of(key)?;
            if let Some(t) = model.theme_page {
                let items = model
                    .data
                    .overall
                    .themes
                    .get(t)
                    .map_or(0, |t| t.items.len());
                model.item = moved(model.item, by, items);
                return None;
            }
            match model.tab {
                Tab::Overview | Tab::Trends => {
                    model.theme = moved(model.theme, by, model.theme_count());
                }
                Tab::WhereToAct => model.act_row = moved(model.act_row, by, model.act_rows()),
                Tab::Comments => model.comment = moved(model.comment, by, model.comment_count()),
            }
        }
    }
    None
}

fn on_picker_key(model: &mut Model, key: Key) -> Option<Effect> {
    let picker = model.picker.as_mut()?;
    let len = match picker {
        Picker::Period { choices, .. } => choices.len(),
        Picker::Site { choices, .. } => choices.len(),
    };
    let selected = match picker {
        Picker::Period { selected, .. } | Picker::Site { selected, .. } => selected,
    };
    if let Some(by) = step_of(key) {
        *selected = moved(*selected, by, len);
        return None;
    }
    match key {
        Key::Esc => model.picker = None,
        Key::Char('q' | 'Q') => model.quit = true,
        Key::Char('g' | 'G') | Key::Left | Key::Right
            if matches!(picker, Picker::Period { .. }) && model.loading.is_none() =>
        {
            let (by, wrap) = match key {
                Key::Left => (-1, false),
                Key::Right => (1, false),
                _ => (1, true),
            };
            let next = model.filter.granularity_step(by, wrap);
            if next != model.filter.granularity {
                return model.load(model.filter.with_granularity(next));
            }
        }
        Key::Enter if model.loading.is_none() => {
            let mut filter = model.filter.clone();
            match model.picker.take()? {
                Picker::Period { choices, selected } => {
                    filter.period = choices.get(selected).copied().flatten();
                }
                Picker::Site { choices, selected } => {
                    filter.site = choices.get(selected).cloned().flatten();
                }
            }
            if filter != model.filter {
                return model.load(filter);
            }
        }
        _ => {}
    }
    None
}

#[cfg(test)]
pub(crate) mod tests;
