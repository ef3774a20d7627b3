//! Navigation and filters, driven by messages alone.

use super::*;
use crate::manager::data::fixture::{self, SITE};
use crate::stats::Granularity;

/// The screen on the fixture's figures for every period and site.
pub(crate) fn model() -> Model {
    Model::new(fixture::data(), Filter::default())
}

fn keys(m: &mut Model, keys: &[Key]) -> Vec<Effect> {
    keys.iter()
        .filter_map(|k| update(m, Msg::Key(*k)))
        .collect()
}

#[test]
fn tab_and_arrows_move_between_views_and_wrap_round() {
    let mut m = model();
    assert_eq!(m.tab, Tab::Overview);
    keys(&mut m, &[Key::Tab]);
    assert_eq!(m.tab, Tab::Trends);
    keys(&mut m, &[Key::Right, Key::Right]);
    assert_eq!(m.tab, Tab::Comments);
    keys(&mut m, &[Key::Tab]);
    assert_eq!(m.tab, Tab::Overview);
    keys(&mut m, &[Key::Left]);
    assert_eq!(m.tab, Tab::Comments);
    keys(&mut m, &[Key::BackTab, Key::Char('1')]);
    assert_eq!(m.tab, Tab::Overview);
    keys(&mut m, &[Key::Char('3')]);
    assert_eq!(m.tab, Tab::WhereToAct);
}

#[test]
fn up_and_down_stop_at_the_first_and_last_theme() {
    let mut m = model();
    keys(&mut m, &[Key::Up]);
    assert_eq!(m.theme, 0);
    keys(&mut m, &[Key::Down; 3]);
    assert_eq!(m.theme, 3);
    keys(&mut m, &[Key::End]);
    assert_eq!(m.theme, m.data.overall.themes.len() - 1);
    keys(&mut m, &[Key::Down, Key::PageDown]);
    assert_eq!(m.theme, m.data.overall.themes.len() - 1);
    keys(&mut m, &[Key::Home]);
    assert_eq!(m.theme, 0);
}

#[test]
fn enter_opens_the_selected_theme_and_esc_goes_back() {
    let mut m = model();
    keys(&mut m, &[Key::Down, Key::Down, Key::Enter]);
    assert_eq!(m.theme_page, Some(2));
    // On a theme's page the arrows move between its questions.
    let items = m.data.overall.themes[2].items.len();
    keys(&mut m, &[Key::Down; 20]);
    assert_eq!(m.item, items - 1);
    assert_eq!(m.theme, 2, "the overview selection is kept");
    keys(&mut m, &[Key::Esc]);
    assert_eq!((m.theme_page, m.tab), (None, Tab::Overview));
    // Switching view closes the page too.
    keys(&mut m, &[Key::Enter, Key::Tab]);
    assert_eq!((m.theme_page, m.tab), (None, Tab::Trends));
}

#[test]
fn enter_on_where_to_act_opens_the_ranked_theme() {
    let mut m = model();
    keys(&mut m, &[Key::Char('3'), Key::Down, Key::Enter]);
    let second = &m.data.where_to_act.ranked[1].id;
    let page = m.theme_page.expect("a theme page is open");
    assert_eq!(&m.data.overall.themes[page].id, second);
}

#[test]
fn comments_scroll_within_the_list_and_enter_does_nothing_there() {
    let mut m = model();
    let n = m.data.comments.as_ref().unwrap().len();
    assert!(n > 2, "the fixture has comments");
    keys(&mut m, &[Key::Char('4'), Key::Down, Key::Down, Key::Enter]);
    assert_eq!((m.comment, m.theme_page), (2, None));
    keys(&mut m, &[Key::End]);
    assert_eq!(m.comment, n - 1);
}

#[test]
fn q_quits_from_anywhere_even_a_picker() {
    let mut m = model();
    keys(&mut m, &[Key::Char('q')]);
    assert!(m.should_quit());
    let mut m = model();
    keys(&mut m, &[Key::Char('p'), Key::Char('q')]);
    assert!(m.should_quit());
}

#[test]
fn choosing_a_period_asks_for_its_figures_and_shows_them_when_loaded() {
    let mut m = model();
    keys(&mut m, &[Key::Char('p')]);
    let Some(Picker::Period { choices, selected }) = &m.picker else {
        panic!("period picker open");
    };
    assert_eq!((choices[0], *selected), (None, 0));
    // Newest first after "all".
    assert_eq!(choices[1], m.data.periods.last().copied());
    let newest = choices[1];
    let effects = keys(&mut m, &[Key::Down, Key::Enter]);
    let wanted = Filter {
        period: newest,
        ..Filter::default()
    };
    assert_eq!(effects, vec![Effect::Load(wanted.clone())]);
    assert_eq!(m.picker, None);
    assert_eq!(m.loading, Some(wanted.clone()));
    // Keys wait while loading.
    keys(&mut m, &[Key::Tab]);
    assert_eq!(m.tab, Tab::Overview);
    let data = fixture::data_of(&fixture::responses(300), &wanted);
    update(&mut m, Msg::Loaded(Ok(Box::new(data.clone()))));
    assert_eq!((m.filter.clone(), m.loading.clone()), (wanted, None));
    assert_eq!(m.data, data);
}

#[test]
fn choosing_the_period_already_shown_or_escaping_loads_nothing() {
    let mut m = model();
    assert_eq!(keys(&mut m, &[Key::Char('p'), Key::Esc]), vec![]);
    assert_eq!(m.picker, None);
    assert_eq!(keys(&mut m, &[Key::Char('p'), Key::Enter]), vec![]);
    assert_eq!(m.loading, None);
}

#[test]
fn a_failed_load_keeps_the_old_figures_and_says_why() {
    let mut m = model();
    let before = m.data.clone();
    keys(&mut m, &[Key::Char('g')]);
    update(&mut m, Msg::Loaded(Err("the store cannot be read".into())));
    assert_eq!(m.data, before);
    assert_eq!(m.filter, Filter::default());
    assert_eq!(m.error.as_deref(), Some("the store cannot be read"));
    assert_eq!(m.loading, None);
}

#[test]
fn g_cycles_week_month_quarter_and_drops_a_chosen_period() {
    let mut m = model();
    m.filter.period = m.data.periods.first().copied();
    let e = keys(&mut m, &[Key::Char('g')]);
    let Effect::Load(f) = &e[0];
    assert_eq!((f.granularity, f.period), (Granularity::Quarter, None));
    update(&mut m, Msg::Loaded(Err("x".into())));
    m.filter.granularity = Granularity::Quarter;
    let Effect::Load(f) = &keys(&mut m, &[Key::Char('g')])[0];
    assert_eq!(f.granularity, Granularity::Week);
}

#[test]
fn arrows_in_the_period_picker_change_granularity_and_keep_it_open() {
    let mut m = model();
    let e = keys(&mut m, &[Key::Char('p'), Key::Left]);
    let Effect::Load(f) = &e[0];
    assert_eq!(f.granularity, Granularity::Week);
    let weekly = fixture::data_of(&fixture::responses(300), f);
    update(&mut m, Msg::Loaded(Ok(Box::new(weekly))));
    let Some(Picker::Period { choices, .. }) = &m.picker else {
        panic!("still open");
    };
    assert!(matches!(choices[1], Some(PeriodKey::Week { .. })));
    // Already the finest: nothing to load.
    assert_eq!(keys(&mut m, &[Key::Left]), vec![]);
}

#[test]
fn choosing_a_site_filters_by_it() {
    let mut m = model();
    let e = keys(&mut m, &[Key::Char('s'), Key::Down, Key::Enter]);
    assert_eq!(
        e,
        vec![Effect::Load(Filter {
            site: Some(SITE.to_string()),
            ..Filter::default()
        })]
    );
}
