//! The file name of an image URL, as the LaunchBrightly import API's `name` shows it and as the
//! `name` tier of matching compares it.

use percent_encoding::percent_decode_str;

/// Last path segment, percent-decoded, without query or fragment; `""` when
/// the URL has no file name (`https://host/`, `https://host/dir/`). A data:
/// URI gets `inline-image.<ext>` from its media type.
pub fn file_name_from_url(url: &str) -> String {
    let url = url.trim();
    // Compared as bytes: slicing the str at 5 could split a character.
    if url
        .as_bytes()
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"data:"))
    {
        return inline_name(&url[5..]);
    }
    // Works the same for absolute and relative URLs: the path is what comes
    // before `?`/`#` (after the host, if any), the name is its last segment.
    let before_query = url.split(['?', '#']).next().unwrap_or("");
    let path = strip_authority(before_query);
    let segment = path.rsplit('/').next().unwrap_or("");
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// `https://host/a/b` and `//host/a/b` -> `/a/b`; relative paths unchanged.
fn strip_authority(s: &str) -> &str {
    match s.find("//") {
        Some(i) if i == 0 || s[..i].ends_with(':') => {
            let rest = &s[i + 2..];
            rest.find('/').map_or("", |j| &rest[j..])
        }
        _ => s,
    }
}

fn inline_name(after_scheme: &str) -> String {
    let mime = after_scheme
        .split([';', ','])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let ext = match mime.as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "image/bmp" => "bmp",
        "image/avif" => "avif",
        "image/x-icon" | "image/vnd.microsoft.icon" => "ico",
        _ => return "inline-image".into(),
    };
    format!("inline-image.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let cases = [
            ("https://x.com/a/My%20Shot.PNG?v=2#top", "My Shot.PNG"),
            ("https://x.com/a/b/", ""),
            ("https://x.com", ""),
            ("//cdn.x.com/i/a.gif", "a.gif"),
            ("../img/caf%C3%A9.png", "café.png"),
            ("billing.png", "billing.png"),
            ("data:image/png;base64,iVBOR", "inline-image.png"),
            ("DATA:image/svg+xml,<svg/>", "inline-image.svg"),
            ("data:,hello", "inline-image"),
            ("", ""),
            ("abcd\u{20ac}.png", "abcd\u{20ac}.png"),
        ];
        for (url, want) in cases {
            assert_eq!(file_name_from_url(url), want, "{url}");
        }
    }
}
