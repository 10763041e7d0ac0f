//! `login`, `logout`, `whoami`.

use super::api::{Api, Error, Result};
use super::output::{Out, print};
use super::{GlobalOpts, config, prompt_secret, read_stdin_secret, same_server, user};
use serde_json::json;

#[derive(clap::Args, Debug)]
pub struct LoginArgs {
    /// Server URL, e.g. http://localhost:8080 (default: the last one used).
    #[arg(long, env = "SLUICE_URL", value_name = "URL")]
    url: Option<String>,
    /// Your email address (default: the last one used).
    #[arg(long)]
    email: Option<String>,
    /// Read the password from stdin instead of asking for it.
    #[arg(long)]
    password_stdin: bool,
    /// Print the server's JSON (without the token) instead of a message.
    #[arg(long)]
    json: bool,
}

pub async fn login(args: LoginArgs) -> Result<()> {
    let saved = config::load().unwrap_or(None);
    let url = args
        .url
        .or_else(|| saved.as_ref().map(|c| c.url.clone()))
        .ok_or_else(|| Error::Usage("give the server with --url URL".into()))?;
    let email = args
        .email
        .or_else(|| saved.filter(|c| same_server(&c.url, &url)).map(|c| c.email))
        .ok_or_else(|| Error::Usage("give your email with --email EMAIL".into()))?;
    let api = Api::new(&url, None)?;
    let password = if args.password_stdin {
        read_stdin_secret()?
    } else {
        prompt_secret(&format!("Password for {email}: "))?
    };

    let mut answer = api
        .post(
            &["v1", "auth", "login"],
            &json!({"email": email, "password": password}),
        )
        .await?;
    let Some(token) = answer
        .get("token")
        .and_then(|t| t.as_str())
        .map(str::to_string)
    else {
        return Err(Error::Other(format!(
            "the server at {} answered the login without a token",
            api.base()
        )));
    };
    let path = config::save(&config::Credentials {
        url: api.base().to_string(),
        token,
        email: email.clone(),
    })?;

    if args.json {
        // The token is a secret and now lives in the credentials file only.
        answer.as_object_mut().map(|o| o.remove("token"));
        Out { json: true }.json(&answer);
    } else {
        let role = answer["user"]["role"].as_str().unwrap_or("unknown role");
        print(&format!(
            "Logged in to {} as {email} ({role}).\n",
            api.base()
        ));
        eprintln!("Credentials saved in {}", path.display());
    }
    Ok(())
}

pub async fn logout(opts: &GlobalOpts) -> Result<()> {
    let saved = config::load()?;
    let Some(url) = opts
        .url
        .clone()
        .or_else(|| saved.as_ref().map(|c| c.url.clone()))
    else {
        print("Not logged in.\n");
        return Ok(());
    };
    let saved_here = saved.filter(|c| same_server(&c.url, &url));
    let token = opts
        .token
        .clone()
        .or_else(|| saved_here.as_ref().map(|c| c.token.clone()));
    let Some(token) = token else {
        print(&format!("Not logged in to {url}.\n"));
        return Ok(());
    };

    let api = Api::new(&url, Some(token))?;
    let ended = api.post(&["v1", "auth", "logout"], &json!({})).await;
    // Forget the local login even when the server could not be told.
    if saved_here.is_some() {
        config::remove()?;
    }
    match ended {
        // Already ended (expired or logged out elsewhere): the goal is reached.
        Ok(_) | Err(Error::Api { status: 401, .. }) => {
            print(&format!("Logged out of {}.\n", api.base()));
            Ok(())
        }
        Err(err) => {
            if saved_here.is_some() {
                eprintln!(
                    "The saved login was removed, but the server may still accept the token."
                );
            }
            Err(err)
        }
    }
}

pub async fn whoami(api: &Api, out: Out) -> Result<()> {
    let me = api.get(&["v1", "users", "me"]).await?;
    out.one(&me, user::COLUMNS);
    if !out.json {
        print(&format!("Server: {}\n", api.base()));
    }
    Ok(())
}
