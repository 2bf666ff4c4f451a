//! Declaring credential slots ([`CredentialSlot`] builders) and finding the
//! credential given for a slot.

use crate::{
    ConnectorError, ConsentFlow, Credential, CredentialField, CredentialKind, CredentialSlot,
    FieldAlias, FieldSpec, Result, SlotCredential,
};

impl CredentialSlot {
    /// An optional slot accepting `kinds`.
    pub fn new(name: &str, kinds: &[CredentialKind], description: &str) -> Self {
        CredentialSlot {
            name: name.into(),
            required: false,
            kinds: kinds.to_vec(),
            fields: Vec::new(),
            aliases: Vec::new(),
            description: description.into(),
            consent: None,
        }
    }

    /// Declares the browser consent flow that fills it (the slot must
    /// accept `oauth-authorization-code`).
    pub fn consent(mut self, flow: ConsentFlow) -> Self {
        self.consent = Some(flow);
        self
    }

    /// Marks it required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Declares a field of the `named-fields` kind.
    pub fn field(mut self, name: &str, secret: bool, required: bool, description: &str) -> Self {
        self.fields.push(FieldSpec {
            name: name.into(),
            secret,
            required,
            description: description.into(),
        });
        self
    }

    /// Accepts `alias` as another name of `field`.
    pub fn alias(mut self, field: &str, alias: &str) -> Self {
        self.aliases.push(FieldAlias {
            field: field.into(),
            alias: alias.into(),
        });
        self
    }
}

/// The credential given for `slot`, if any.
pub fn find<'a>(credentials: &'a [SlotCredential], slot: &str) -> Option<&'a Credential> {
    credentials
        .iter()
        .find(|c| c.slot == slot)
        .map(|c| &c.credential)
}

/// The credential given for `slot`, or `invalid-config` naming the slot.
pub fn require<'a>(credentials: &'a [SlotCredential], slot: &str) -> Result<&'a Credential> {
    find(credentials, slot).ok_or_else(|| {
        ConnectorError::InvalidConfig(format!("no credential was given for the slot {slot}"))
    })
}

/// The value of field `name` of a `named-fields` credential.
pub fn field<'a>(fields: &'a [CredentialField], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.as_str())
}

impl Credential {
    /// The kind this credential is of.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Credential::OauthClientCredentials(_) => CredentialKind::OauthClientCredentials,
            Credential::OauthRefreshToken(_) => CredentialKind::OauthRefreshToken,
            Credential::OauthAuthorizationCode(_) => CredentialKind::OauthAuthorizationCode,
            Credential::Basic(_) => CredentialKind::Basic,
            Credential::BearerToken(_) => CredentialKind::BearerToken,
            Credential::NamedFields(_) => CredentialKind::NamedFields,
        }
    }
}
