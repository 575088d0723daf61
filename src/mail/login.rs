//! The sign-in mail: one link to `/login/…`, valid 15 minutes and once. Sent through the
//! outbox like a digest (a [`Digest`] with `login` set and no items).

use super::Links;
use super::html::escape;
use crate::definition::Lang;
use crate::remind::Digest;

pub fn subject(lang: Lang) -> String {
    match lang {
        Lang::Sv => "Logga in i årshjulet".into(),
        Lang::En => "Sign in to the annual cycle".into(),
    }
}

fn link(digest: &Digest, links: Option<&Links>) -> String {
    match (links, &digest.login) {
        (Some(l), Some(nonce)) => l.login(&digest.to.email, nonce, digest.day),
        _ => String::new(),
    }
}

pub fn text(digest: &Digest, lang: Lang, links: Option<&Links>) -> String {
    let url = link(digest, links);
    match lang {
        Lang::Sv => format!(
            "Hej {}!\n\nÖppna länken för att logga in i årshjulet:\n\n  {url}\n\n\
             Länken gäller i 15 minuter och bara en gång. Bad du inte om den kan du bortse från mejlet.\n-- \narshjul\n",
            digest.to.name
        ),
        Lang::En => format!(
            "Hello {},\n\nOpen the link to sign in to the annual cycle:\n\n  {url}\n\n\
             The link is valid for 15 minutes and once. If you did not ask for it, ignore this email.\n-- \narshjul\n",
            digest.to.name
        ),
    }
}

pub fn html(digest: &Digest, lang: Lang, links: Option<&Links>) -> String {
    let url = escape(&link(digest, links));
    let name = escape(&digest.to.name);
    let (tag, hello, open, text, note) = match lang {
        Lang::Sv => (
            "sv",
            "Hej",
            "Öppna länken för att logga in i årshjulet:",
            "Logga in",
            "Länken gäller i 15 minuter och bara en gång. Bad du inte om den kan du bortse från mejlet.",
        ),
        Lang::En => (
            "en",
            "Hello",
            "Open the link to sign in to the annual cycle:",
            "Sign in",
            "The link is valid for 15 minutes and once. If you did not ask for it, ignore this email.",
        ),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{tag}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n\
         <p>{hello} {name}!</p>\n<p>{open}</p>\n<p><a href=\"{url}\">{text}</a></p>\n<p>{note}</p>\n</body>\n</html>\n",
        escape(&subject(lang))
    )
}
