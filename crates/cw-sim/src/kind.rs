//! The entity kinds the simulator stores, with what ConnectWise calls each.

/// A security module, as ConnectWise security roles group permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Module {
    Service,
    Time,
    Company,
    Sales,
    Finance,
    /// Invoices and what hangs under them: accounting's, not the service desk's.
    Invoicing,
    Project,
    Schedule,
    System,
}

/// One stored entity kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Ticket,
    TicketNote,
    TimeEntry,
    TimeSheet,
    Board,
    BoardStatus,
    BoardType,
    BoardSubType,
    BoardItem,
    Priority,
    Company,
    CompanyStatus,
    Contact,
    Configuration,
    Member,
    Opportunity,
    Agreement,
    Project,
    ProjectPhase,
    ProjectTicket,
    ProjectTicketNote,
    Activity,
    ScheduleEntry,
    WorkType,
    WorkRole,
}

impl Kind {
    pub const ALL: [Kind; 25] = [
        Kind::Ticket,
        Kind::TicketNote,
        Kind::TimeEntry,
        Kind::TimeSheet,
        Kind::Board,
        Kind::BoardStatus,
        Kind::BoardType,
        Kind::BoardSubType,
        Kind::BoardItem,
        Kind::Priority,
        Kind::Company,
        Kind::CompanyStatus,
        Kind::Contact,
        Kind::Configuration,
        Kind::Member,
        Kind::Opportunity,
        Kind::Agreement,
        Kind::Project,
        Kind::ProjectPhase,
        Kind::ProjectTicket,
        Kind::ProjectTicketNote,
        Kind::Activity,
        Kind::ScheduleEntry,
        Kind::WorkType,
        Kind::WorkRole,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The schema this kind is returned as (Go model names from the derived contract data).
    pub fn schema(self) -> &'static str {
        match self {
            Kind::Ticket => "Ticket",
            Kind::TicketNote => "ServiceNote",
            Kind::TimeEntry => "TimeEntry",
            Kind::TimeSheet => "TimeSheet",
            Kind::Board => "Board",
            Kind::BoardStatus => "BoardStatus",
            Kind::BoardType => "BoardType",
            Kind::BoardSubType => "BoardSubType",
            Kind::BoardItem => "BoardItem",
            Kind::Priority => "Priority",
            Kind::Company => "Company",
            Kind::CompanyStatus => "CompanyStatus",
            Kind::Contact => "Contact",
            Kind::Configuration => "CompanyConfiguration",
            Kind::Member => "Member",
            Kind::Opportunity => "Opportunity",
            Kind::Agreement => "Agreement",
            Kind::Project => "Project",
            Kind::ProjectPhase => "ProjectPhase",
            Kind::ProjectTicket => "ProjectTicket",
            Kind::ProjectTicketNote => "TicketNote",
            Kind::Activity => "Activity",
            Kind::ScheduleEntry => "ScheduleEntry",
            Kind::WorkType => "WorkType",
            Kind::WorkRole => "WorkRole",
        }
    }

    /// The name ConnectWise uses in `"<resource> object is invalid"` messages.
    pub fn resource(self) -> &'static str {
        match self {
            Kind::Ticket => "ticket",
            Kind::TicketNote => "serviceNote",
            Kind::TimeEntry => "timeEntry",
            Kind::TimeSheet => "timeSheet",
            Kind::Board => "board",
            Kind::BoardStatus => "boardStatus",
            Kind::BoardType => "boardType",
            Kind::BoardSubType => "boardSubType",
            Kind::BoardItem => "boardItem",
            Kind::Priority => "priority",
            Kind::Company => "company",
            Kind::CompanyStatus => "companyStatus",
            Kind::Contact => "contact",
            Kind::Configuration => "configuration",
            Kind::Member => "member",
            Kind::Opportunity => "opportunity",
            Kind::Agreement => "agreement",
            Kind::Project => "project",
            Kind::ProjectPhase => "projectPhase",
            Kind::ProjectTicket => "projectTicket",
            Kind::ProjectTicketNote => "ticketNote",
            Kind::Activity => "activity",
            Kind::ScheduleEntry => "schedule",
            Kind::WorkType => "workType",
            Kind::WorkRole => "workRole",
        }
    }

    /// Human label for "X 123 not found" messages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Ticket | Kind::ProjectTicket => "Ticket",
            Kind::TicketNote | Kind::ProjectTicketNote => "Note",
            Kind::TimeEntry => "Time entry",
            Kind::TimeSheet => "Time sheet",
            Kind::Board => "Board",
            Kind::BoardStatus => "Status",
            Kind::BoardType => "Type",
            Kind::BoardSubType => "Subtype",
            Kind::BoardItem => "Item",
            Kind::Priority => "Priority",
            Kind::Company => "Company",
            Kind::CompanyStatus => "Company status",
            Kind::Contact => "Contact",
            Kind::Configuration => "Configuration",
            Kind::Member => "Member",
            Kind::Opportunity => "Opportunity",
            Kind::Agreement => "Agreement",
            Kind::Project => "Project",
            Kind::ProjectPhase => "Phase",
            Kind::Activity => "Activity",
            Kind::ScheduleEntry => "Schedule entry",
            Kind::WorkType => "Work type",
            Kind::WorkRole => "Work role",
        }
    }

    pub fn module(self) -> Module {
        match self {
            Kind::Ticket
            | Kind::TicketNote
            | Kind::Board
            | Kind::BoardStatus
            | Kind::BoardType
            | Kind::BoardSubType
            | Kind::BoardItem
            | Kind::Priority => Module::Service,
            Kind::TimeEntry | Kind::TimeSheet | Kind::WorkType | Kind::WorkRole => Module::Time,
            Kind::Company | Kind::CompanyStatus | Kind::Contact | Kind::Configuration => {
                Module::Company
            }
            Kind::Member => Module::System,
            Kind::Opportunity | Kind::Activity => Module::Sales,
            Kind::Agreement => Module::Finance,
            Kind::Project | Kind::ProjectPhase | Kind::ProjectTicket | Kind::ProjectTicketNote => {
                Module::Project
            }
            Kind::ScheduleEntry => Module::Schedule,
        }
    }

    /// For kinds listed under a parent (`/service/tickets/{parentId}/notes`): the field of the
    /// child that holds the parent's id.
    pub fn parent_field(self) -> Option<&'static [&'static str]> {
        match self {
            Kind::TicketNote | Kind::ProjectTicketNote => Some(&["ticketId"]),
            Kind::BoardStatus | Kind::BoardType | Kind::BoardSubType | Kind::BoardItem => {
                Some(&["board", "id"])
            }
            Kind::ProjectPhase => Some(&["projectId"]),
            _ => None,
        }
    }
}
