//! `flipside admin`: create people and grant roles without the web interface (the first
//! administrator of a new deployment is made this way).
use crate::ServerArgs;
use crate::server::{load_settings, open_store};
use clap::Subcommand;
use flipside_core::email::Email;
use flipside_core::role::{Grant, Role, Scope, ScopeKind};
use flipside_core::text::{BoundedText, NAME_MAX};
use flipside_store::{NewAuditEntry, NewUser};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct AdminArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a person with a local password (read from FLIPSIDE_NEW_PASSWORD or standard input).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Create the account without a password (single sign-on only).
        #[arg(long)]
        no_password: bool,
    },
    /// Give a person a role: organisation-wide, or scoped with --scheme, --cycle or --school.
    Grant {
        #[arg(long)]
        email: String,
        /// admin, coordinator, mentor, mentee, tutor, student, student_lead, researcher, school_lead
        #[arg(long)]
        role: String,
        #[arg(long, conflicts_with_all = ["cycle", "school"])]
        scheme: Option<i64>,
        #[arg(long, conflicts_with = "school")]
        cycle: Option<i64>,
        #[arg(long)]
        school: Option<i64>,
    },
    /// List people and their roles.
    ListUsers,
}

pub fn run(args: AdminArgs) -> ExitCode {
    crate::server::block_on("admin", run_async(args))
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("FLIPSIDE_NEW_PASSWORD") {
        return Ok(p);
    }
    eprintln!("Password (then Enter):");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn run_async(args: AdminArgs) -> anyhow::Result<()> {
    let settings = load_settings(&args.server)?;
    let store = open_store(&settings).await?;
    store.migrate().await?;
    store
        .ensure_organisation("Your organisation", "org")
        .await?;
    match args.command {
        AdminCommand::CreateUser {
            email,
            name,
            no_password,
        } => {
            let email = Email::parse(&email).map_err(|e| {
                anyhow::anyhow!("--email: '{email}' is not an email address: it {e}")
            })?;
            let name =
                BoundedText::line(&name, NAME_MAX).map_err(|e| anyhow::anyhow!("--name {e}"))?;
            let hash = if no_password {
                None
            } else {
                let p = read_password()?;
                flipside_web::auth::password::check_new(&p)
                    .map_err(|m| anyhow::anyhow!("password: {m}"))?;
                Some(flipside_web::auth::password::hash(&p)?)
            };
            let id = store
                .create_user(NewUser {
                    email: email.as_str(),
                    display_name: name.as_str(),
                    password_hash: hash.as_deref(),
                    school_id: None,
                })
                .await?;
            store
                .audit(NewAuditEntry {
                    actor_id: None,
                    action: "user_created",
                    subject_kind: "user",
                    subject_id: Some(id),
                    detail: "flipside admin",
                    address: "cli",
                })
                .await?;
            println!("Created {email} (id {id}).");
        }
        AdminCommand::Grant {
            email,
            role,
            scheme,
            cycle,
            school,
        } => {
            let user = store
                .user_by_email(&email)
                .await
                .map_err(|_| anyhow::anyhow!("--email: nobody has the email {email}"))?;
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let scope = match (scheme, cycle, school) {
                (Some(id), _, _) => Scope::from_parts(ScopeKind::Scheme, Some(id)),
                (_, Some(id), _) => Scope::from_parts(ScopeKind::Cycle, Some(id)),
                (_, _, Some(id)) => Scope::from_parts(ScopeKind::School, Some(id)),
                _ => Some(Scope::Organisation),
            }
            .ok_or_else(|| anyhow::anyhow!("unknown scope"))?;
            let grant = Grant::new(role, scope).map_err(|e| anyhow::anyhow!("{e}"))?;
            if !store.scope_exists(scope).await? {
                anyhow::bail!(
                    "--{}: there is no {} with the id {}",
                    scope.kind().as_str(),
                    scope.kind().as_str(),
                    scope.id().unwrap_or(0)
                );
            }
            store.grant_role(user.id, grant, None).await?;
            store
                .audit(NewAuditEntry {
                    actor_id: None,
                    action: "role_granted",
                    subject_kind: "user",
                    subject_id: Some(user.id),
                    detail: &format!("{role} via flipside admin"),
                    address: "cli",
                })
                .await?;
            println!(
                "{email} is now {} ({}).",
                role.label(),
                scope.kind().as_str()
            );
        }
        AdminCommand::ListUsers => {
            let grants = store.all_grants().await?;
            for u in store.users().await? {
                let roles: Vec<String> = grants
                    .iter()
                    .filter(|g| g.user_id == u.id)
                    .map(|g| g.role.clone())
                    .collect();
                println!("{}\t{}\t{}", u.email, u.display_name, roles.join(","));
            }
        }
    }
    Ok(())
}
