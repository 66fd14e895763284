//! Page-numbered listings, as most simulated APIs page: the `page` and
//! page-size parameters checked in one order, and one page cut from the
//! whole listing. Each simulator words the problems in its provider's own
//! envelope; cursor-paged APIs (Zendesk, Help.Center) keep their cursors.

use axum::response::Response;

use crate::api::param;

/// What is wrong with a listing's paging parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageProblem<'a> {
    /// The named parameter is not an integer.
    NotANumber(&'a str),
    /// `page` is 0.
    PageBelowOne,
    /// The page size is 0.
    SizeBelowOne,
    /// The page size is over the documented maximum.
    SizeAboveMax(u64),
}

/// `page` (>= 1, default 1) and the page size under `size_key` (1..=`max`,
/// default `default`), checked in this order: both parsed, then `page`, then
/// the size. `problem` words what is wrong in the provider's envelope.
pub fn page_and_size(
    pairs: &[(String, String)],
    size_key: &str,
    default: u64,
    max: u64,
    problem: impl Fn(PageProblem<'_>) -> Response,
) -> Result<(u64, u64), Response> {
    let int = |key: &str, default: u64| -> Result<u64, Response> {
        match param(pairs, key) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|_| problem(PageProblem::NotANumber(key))),
        }
    };
    let page = int("page", 1)?;
    let size = int(size_key, default)?;
    if page < 1 {
        return Err(problem(PageProblem::PageBelowOne));
    }
    if size < 1 {
        return Err(problem(PageProblem::SizeBelowOne));
    }
    if size > max {
        return Err(problem(PageProblem::SizeAboveMax(max)));
    }
    Ok((page, size))
}

/// One page of a page-numbered listing.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Entries in the whole listing.
    pub total: u64,
    /// Pages in the whole listing (0 when it is empty).
    pub pages: u64,
}

/// Page `page` (1-based) of `size` entries of `all`.
pub fn numbered<T>(all: impl IntoIterator<Item = T>, page: u64, size: u64) -> Page<T> {
    let all: Vec<T> = all.into_iter().collect();
    let total = all.len() as u64;
    let skip = usize::try_from(page.saturating_sub(1).saturating_mul(size)).unwrap_or(usize::MAX);
    Page {
        items: all.into_iter().skip(skip).take(size as usize).collect(),
        total,
        pages: total.div_ceil(size.max(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn problem(p: PageProblem<'_>) -> Response {
        (StatusCode::BAD_REQUEST, format!("{p:?}")).into_response()
    }

    #[test]
    fn paging_parameters_in_order() {
        let ok = page_and_size(&pairs(&[]), "limit", 50, 100, problem).unwrap();
        assert_eq!(ok, (1, 50));
        let ok = page_and_size(
            &pairs(&[("page", "3"), ("limit", "100")]),
            "limit",
            50,
            100,
            problem,
        );
        assert_eq!(ok.unwrap(), (3, 100));
        for q in [
            vec![("page", "x")],
            vec![("page", "0")],
            vec![("limit", "0")],
            vec![("limit", "101")],
        ] {
            assert!(
                page_and_size(&pairs(&q), "limit", 50, 100, problem).is_err(),
                "{q:?}"
            );
        }
    }

    #[test]
    fn pages_cut_from_the_listing() {
        let p = numbered(1..=7, 2, 3);
        assert_eq!((p.items, p.total, p.pages), (vec![4, 5, 6], 7, 3));
        let p = numbered(1..=7, 4, 3);
        assert!(p.items.is_empty());
        assert_eq!(numbered(Vec::<u8>::new(), 1, 3).pages, 0);
    }
}
