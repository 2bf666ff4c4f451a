//! The host's half of a declared consent flow (the OAuth 2.0
//! authorization-code flow for native apps, RFC 8252): the authorization
//! request (a fresh `state`, a PKCE verifier and its S256 challenge,
//! RFC 7636) and the checks on the redirect that comes back to the
//! loopback listener. Which provider, which page and which scopes come
//! from the connector's `consent-flow`; the exchange of the code is the
//! connector's own `authenticate`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::latest::{
    ConsentFlow, Credential, CredentialKind, CredentialSlot, OauthClient, OauthCode, SettingSpec,
    SettingType,
};

/// Why a consent did not give a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    /// The redirect's `state` is not this request's: a page this run did
    /// not open, or a forged redirect.
    #[error(
        "the redirect's state does not match the request's: refused (a page this run did not \
         open, or a forged redirect); nothing was stored"
    )]
    StateMismatch,
    /// The person declined, or the provider refused the request.
    #[error("the provider answered {error}{}", describe(.description))]
    Refused {
        /// OAuth's error code (`access_denied`).
        error: String,
        /// The provider's sentence, if any.
        description: Option<String>,
    },
    /// A redirect with neither a code nor an error.
    #[error("the redirect carried no code")]
    NoCode,
    /// The consent page setting is not a usable URL.
    #[error("the consent page {0}")]
    BadPage(String),
    /// No randomness for the state and verifier.
    #[error("no random numbers for the state and verifier: {0}")]
    NoRandomness(String),
}

fn describe(d: &Option<String>) -> String {
    d.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
}

/// A base64url string of `n` random bytes.
fn random(n: usize) -> Result<String, ConsentError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| ConsentError::NoRandomness(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The S256 challenge of a PKCE verifier.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(saas_host_files::sha256(verifier.as_bytes()))
}

/// One authorization request: the page to open and what the redirect and
/// the exchange need. `state` and `verifier` are secret until the code is
/// exchanged, and `Debug` does not show them.
#[derive(Clone)]
pub struct AuthorizationRequest {
    /// The consent page with every parameter.
    pub url: url::Url,
    /// The loopback URI the provider redirects to.
    pub redirect_uri: String,
    /// The anti-forgery value the redirect must repeat.
    pub state: String,
    /// The PKCE verifier, when the flow uses PKCE.
    pub verifier: Option<String>,
}

impl std::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("redirect_uri", &self.redirect_uri)
            .field("pkce", &self.verifier.is_some())
            .finish_non_exhaustive()
    }
}

impl AuthorizationRequest {
    /// A request for `flow` at the consent page `page`, for `client_id`,
    /// redirecting to `redirect_uri`.
    pub fn new(
        flow: &ConsentFlow,
        page: &str,
        client_id: &str,
        redirect_uri: &str,
    ) -> Result<Self, ConsentError> {
        let mut url = url::Url::parse(page).map_err(|e| ConsentError::BadPage(e.to_string()))?;
        if !matches!(url.scheme(), "https" | "http") || url.cannot_be_a_base() {
            return Err(ConsentError::BadPage(format!(
                "{page} is not an http(s) page"
            )));
        }
        let state = random(32)?;
        let verifier = if flow.pkce { Some(random(32)?) } else { None };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", client_id)
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("state", &state);
            if !flow.scopes.is_empty() {
                q.append_pair("scope", &flow.scopes.join(" "));
            }
            for (k, v) in &flow.parameters {
                q.append_pair(k, v);
            }
            if let Some(v) = &verifier {
                q.append_pair("code_challenge", &challenge(v))
                    .append_pair("code_challenge_method", "S256");
            }
        }
        Ok(AuthorizationRequest {
            url,
            redirect_uri: redirect_uri.to_string(),
            state,
            verifier,
        })
    }

    /// The code of a redirect whose query is `query`, once its `state` is
    /// this request's (compared in constant time).
    pub fn code_from(&self, query: &str) -> Result<String, ConsentError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if !same(get("state").unwrap_or_default(), &self.state) {
            return Err(ConsentError::StateMismatch);
        }
        if let Some(error) = get("error") {
            return Err(ConsentError::Refused {
                error: error.to_string(),
                description: get("error_description").map(String::from),
            });
        }
        get("code")
            .filter(|c| !c.is_empty())
            .map(String::from)
            .ok_or(ConsentError::NoCode)
    }

    /// The credential that exchanges `code` for a session.
    pub fn credential(&self, client: OauthClient, code: String) -> Credential {
        Credential::OauthAuthorizationCode(OauthCode {
            client,
            code,
            redirect_uri: Some(self.redirect_uri.clone()),
            code_verifier: self.verifier.clone(),
        })
    }
}

/// What is wrong with the consent flows a connector declares: a flow on a
/// slot that takes no authorization code, or one whose page is not one of
/// its `url` settings. Empty when they are sound.
pub fn declaration_problems(slots: &[CredentialSlot], settings: &[SettingSpec]) -> Vec<String> {
    let mut problems = Vec::new();
    for slot in slots {
        let Some(flow) = &slot.consent else { continue };
        if !slot.kinds.contains(&CredentialKind::OauthAuthorizationCode) {
            problems.push(format!(
                "slot {} declares a consent flow but takes no oauth-authorization-code",
                slot.name
            ));
        }
        let page = settings.iter().find(|s| s.name == flow.authorize_setting);
        if !page.is_some_and(|s| s.type_ == SettingType::Url) {
            problems.push(format!(
                "slot {}'s consent flow names {:?}, which is not a url setting",
                slot.name, flow.authorize_setting
            ));
        }
    }
    problems
}

/// Equal strings, compared without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests;
