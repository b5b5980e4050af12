//! Typed views of the ConnectWise records the product reads and writes. Every field is
//! optional because partial responses (`fields=`) return only what was asked; each read model
//! carries the `fields=` list that fills it, so callers fetch only what they show.

use serde::{Deserialize, Serialize};

/// A reference to another record (`{id, name}`, `{id, identifier}`, `{id, summary}`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Ref {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl Ref {
    pub fn id(id: i64) -> Ref {
        Ref {
            id: Some(id),
            ..Default::default()
        }
    }

    /// The most human label it carries.
    pub fn label(&self) -> Option<&str> {
        self.name
            .as_deref()
            .or(self.identifier.as_deref())
            .or(self.summary.as_deref())
    }
}

/// The `_info` block.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Info {
    pub last_updated: Option<String>,
    pub updated_by: Option<String>,
    pub date_entered: Option<String>,
    pub entered_by: Option<String>,
    pub date_created: Option<String>,
}

macro_rules! model {
    ($(#[$m:meta])* $name:ident [$schema:literal: $fields:literal] { $($f:ident : $t:ty),* $(,)? $(; $info:ident)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(default, rename_all = "camelCase")]
        pub struct $name {
            $(pub $f: Option<$t>,)*
            $(
                /// The `_info` block (entered/updated by and when).
                #[serde(rename = "_info")]
                pub $info: Info,
            )?
        }
        impl $name {
            /// The `fields=` list that fills this view.
            pub const FIELDS: &'static str = $fields;
            /// ConnectWise's schema for the record (the contract test checks [`Self::FIELDS`]
            /// against it: ConnectWise drops unknown `fields` names silently).
            pub const SCHEMA: &'static str = $schema;
        }
    };
}

model!(
    /// A service ticket as lists show it.
    Ticket ["Ticket": "id,summary,board/id,board/name,status/id,status/name,company/id,company/identifier,company/name,contact/id,contact/name,owner/id,owner/identifier,owner/name,priority/id,priority/name,type/name,subType/name,item/name,resources,closedFlag,closedDate,customerUpdatedFlag,requiredDate,_info/lastUpdated,_info/dateEntered,_info/enteredBy"] {
        id: i64, summary: String, board: Ref, status: Ref, company: Ref, contact: Ref, owner: Ref, resources: String,
        priority: Ref, r#type: Ref, sub_type: Ref, item: Ref, closed_flag: bool, closed_date: String,
        customer_updated_flag: bool, required_date: String
        ; info
    }
);

model!(
    /// A ticket as a queue ranks it: with its SLA state, due date and who touched it last.
    QueueTicket ["Ticket": "id,summary,board/id,board/name,status/id,status/name,company/id,company/name,owner/identifier,priority/id,priority/name,resources,customerUpdatedFlag,requiredDate,isInSla,closedFlag,_info/lastUpdated,_info/updatedBy,_info/dateEntered"] {
        id: i64, summary: String, board: Ref, status: Ref, company: Ref, owner: Ref, priority: Ref,
        resources: String, customer_updated_flag: bool, required_date: String, is_in_sla: bool,
        closed_flag: bool
        ; info
    }
);

model!(
    /// A service ticket with everything a technician reads on it.
    TicketDetail ["Ticket": "id,summary,recordType,board/id,board/name,status/id,status/name,company/id,company/identifier,company/name,contact/id,contact/name,contactName,contactEmailAddress,contactPhoneNumber,owner/id,owner/identifier,owner/name,priority/id,priority/name,type/name,subType/name,item/name,source/name,severity,impact,closedFlag,closedDate,closedBy,customerUpdatedFlag,requiredDate,budgetHours,actualHours,resources,agreement/id,agreement/name,_info/lastUpdated,_info/updatedBy,_info/dateEntered,_info/enteredBy"] {
        id: i64, summary: String, record_type: String, board: Ref, status: Ref, company: Ref, contact: Ref,
        contact_name: String, contact_email_address: String, contact_phone_number: String, owner: Ref,
        priority: Ref, r#type: Ref, sub_type: Ref, item: Ref, source: Ref, severity: String, impact: String,
        closed_flag: bool, closed_date: String, closed_by: String, customer_updated_flag: bool,
        required_date: String, budget_hours: f64, actual_hours: f64, resources: String, agreement: Ref
        ; info
    }
);

model!(
    /// A ticket note (`/service/tickets/{id}/notes`).
    Note ["ServiceNote": "id,ticketId,text,detailDescriptionFlag,internalAnalysisFlag,resolutionFlag,member/id,member/identifier,member/name,contact/id,contact/name,dateCreated,createdBy,customerUpdatedFlag"] {
        id: i64, ticket_id: i64, text: String, detail_description_flag: bool, internal_analysis_flag: bool,
        resolution_flag: bool, member: Ref, contact: Ref, date_created: String, created_by: String,
        customer_updated_flag: bool,
    }
);

model!(
    /// An entry of `allNotes`: ticket notes and time-entry notes together.
    AllNote ["ServiceTicketNote": "id,noteType,text,detailDescriptionFlag,internalAnalysisFlag,resolutionFlag,timeStart,timeEnd,member/id,member/identifier,member/name,contact/id,contact/name,originalAuthor,_info/dateCreated"] {
        id: i64, note_type: String, text: String, detail_description_flag: bool, internal_analysis_flag: bool,
        resolution_flag: bool, time_start: String, time_end: String, member: Ref, contact: Ref,
        original_author: String
        ; info
    }
);

model!(
    TimeEntry ["TimeEntry": "id,company/id,company/name,chargeToId,chargeToType,member/id,member/identifier,member/name,workType/id,workType/name,timeStart,timeEnd,actualHours,billableOption,notes,status,ticket/id,ticket/summary,timeSheet/id,enteredBy,dateEntered,addToDetailDescriptionFlag,addToInternalAnalysisFlag,addToResolutionFlag"] {
        id: i64, company: Ref, charge_to_id: i64, charge_to_type: String, member: Ref, work_type: Ref,
        time_start: String, time_end: String, actual_hours: f64, billable_option: String, notes: String,
        status: String, ticket: Ref, time_sheet: Ref, entered_by: String, date_entered: String,
        add_to_detail_description_flag: bool, add_to_internal_analysis_flag: bool,
        add_to_resolution_flag: bool,
    }
);

model!(
    Company ["Company": "id,identifier,name,status/name,addressLine1,addressLine2,city,state,zip,phoneNumber,website,types,defaultContact/id,defaultContact/name,numberOfEmployees,dateAcquired,deletedFlag"] {
        id: i64, identifier: String, name: String, status: Ref, address_line1: String, address_line2: String,
        city: String, state: String, zip: String, phone_number: String, website: String, types: Vec<Ref>,
        default_contact: Ref, number_of_employees: i64, date_acquired: String, deleted_flag: bool,
    }
);

/// One phone number or e-mail of a contact.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CommunicationItem {
    pub r#type: Option<Ref>,
    pub value: Option<String>,
    pub communication_type: Option<String>,
    pub default_flag: Option<bool>,
}

model!(
    Contact ["Contact": "id,firstName,lastName,company/id,company/identifier,company/name,title,inactiveFlag,defaultPhoneNbr,communicationItems"] {
        id: i64, first_name: String, last_name: String, company: Ref, title: String, inactive_flag: bool,
        default_phone_nbr: String, communication_items: Vec<CommunicationItem>,
    }
);

model!(
    Configuration ["CompanyConfiguration": "id,name,type/name,status/name,company/id,company/name,contact/id,contact/name,serialNumber,modelNumber,tagNumber,ipAddress,macAddress,defaultGateway,osType,osInfo,manufacturer/name,warrantyExpirationDate,purchaseDate,installationDate,activeFlag,lastLoginName,notes"] {
        id: i64, name: String, r#type: Ref, status: Ref, company: Ref, contact: Ref, serial_number: String,
        model_number: String, tag_number: String, ip_address: String, mac_address: String,
        default_gateway: String, os_type: String, os_info: String, manufacturer: Ref,
        warranty_expiration_date: String, purchase_date: String, installation_date: String,
        active_flag: bool, last_login_name: String, notes: String,
    }
);

/// `/service/tickets/{id}/configurations` answers with references carrying `deviceIdentifier`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConfigurationRef {
    pub id: Option<i64>,
    pub device_identifier: Option<String>,
}

model!(
    Member ["Member": "id,identifier,firstName,lastName,title,inactiveFlag,licenseClass,primaryEmail,officeEmail,officePhone"] {
        id: i64, identifier: String, first_name: String, last_name: String, title: String, inactive_flag: bool,
        license_class: String, primary_email: String, office_email: String, office_phone: String,
    }
);

model!(Board ["Board": "id,name,inactiveFlag,projectFlag"] { id: i64, name: String, inactive_flag: bool, project_flag: bool });

model!(
    BoardStatus ["BoardStatus": "id,name,board/id,closedStatus,inactive,defaultFlag,sortOrder,timeEntryNotAllowed"] {
        id: i64, name: String, board: Ref, closed_status: bool, inactive: bool, default_flag: bool,
        sort_order: i64, time_entry_not_allowed: bool,
    }
);

model!(BoardType ["BoardType": "id,name,category,inactiveFlag,defaultFlag"] { id: i64, name: String, category: String, inactive_flag: bool, default_flag: bool });

model!(Priority ["Priority": "id,name,level,sortOrder,defaultFlag"] { id: i64, name: String, level: String, sort_order: i64, default_flag: bool });

model!(WorkType ["WorkType": "id,name,billTime,inactiveFlag,overallDefaultFlag"] { id: i64, name: String, bill_time: String, inactive_flag: bool, overall_default_flag: bool });

model!(
    Opportunity ["Opportunity": "id,name,expectedCloseDate,type/name,stage/name,status/name,probability/name,primarySalesRep/identifier,primarySalesRep/name,company/id,company/name,contact/id,contact/name,closedDate,notes"] {
        id: i64, name: String, expected_close_date: String, r#type: Ref, stage: Ref, status: Ref,
        probability: Ref, primary_sales_rep: Ref, company: Ref, contact: Ref, closed_date: String, notes: String,
    }
);

model!(
    Agreement ["Agreement": "id,name,type/name,company/id,company/name,contact/id,contact/name,startDate,endDate,noEndingDateFlag,cancelledFlag,agreementStatus,billAmount,applicationUnits,applicationLimit"] {
        id: i64, name: String, r#type: Ref, company: Ref, contact: Ref, start_date: String, end_date: String,
        no_ending_date_flag: bool, cancelled_flag: bool, agreement_status: String, bill_amount: f64,
        application_units: String, application_limit: f64,
    }
);

model!(
    Project ["Project": "id,name,board/name,company/id,company/name,contact/name,manager/identifier,manager/name,status/name,closedFlag,estimatedStart,estimatedEnd,percentComplete,actualHours,estimatedHours"] {
        id: i64, name: String, board: Ref, company: Ref, contact: Ref, manager: Ref, status: Ref,
        closed_flag: bool, estimated_start: String, estimated_end: String, percent_complete: f64,
        actual_hours: f64, estimated_hours: f64,
    }
);

model!(
    Activity ["Activity": "id,name,type/name,status/name,company/id,company/name,contact/name,opportunity/id,opportunity/name,ticket/id,ticket/summary,assignTo/identifier,assignTo/name,dateStart,dateEnd,notes"] {
        id: i64, name: String, r#type: Ref, status: Ref, company: Ref, contact: Ref, opportunity: Ref,
        ticket: Ref, assign_to: Ref, date_start: String, date_end: String, notes: String,
    }
);

model!(
    TimeSheet ["TimeSheet": "id,member/identifier,year,period,dateStart,dateEnd,status,hours"] {
        id: i64, member: Ref, year: i64, period: i64, date_start: String, date_end: String, status: String, hours: f64,
    }
);

model!(
    /// A booking on someone's calendar; `objectId` is the ticket (type `S`) it is for.
    ScheduleEntry ["ScheduleEntry": "id,objectId,name,member/id,member/identifier,member/name,dateStart,dateEnd,type/identifier,status/name,hours,doneFlag,acknowledgedFlag,where/name"] {
        id: i64, object_id: i64, name: String, member: Ref, date_start: String, date_end: String,
        r#type: Ref, status: Ref, hours: f64, done_flag: bool, acknowledged_flag: bool, r#where: Ref,
    }
);

model!(
    /// A checklist item on a ticket.
    TicketTask ["TicketTask": "id,ticketId,summary,notes,closedFlag,priority,resolution,member/identifier,member/name"] {
        id: i64, ticket_id: i64, summary: String, notes: String, closed_flag: bool, priority: i64,
        resolution: String, member: Ref,
    }
);

model!(Source ["Source": "id,name,defaultFlag"] { id: i64, name: String, default_flag: bool });

model!(
    ServiceTeam ["ServiceTeam": "id,name,leader/identifier,leader/name,location/name,department/name"] {
        id: i64, name: String, leader: Ref, location: Ref, department: Ref,
    }
);

model!(
    BoardTeam ["BoardTeam": "id,name,teamLeader/identifier,teamLeader/name,members,defaultFlag"] {
        id: i64, name: String, team_leader: Ref, members: Vec<i64>, default_flag: bool,
    }
);

model!(
    /// A board with its defaults, for `cw_get_board`.
    BoardDetail ["Board": "id,name,inactiveFlag,projectFlag,location/name,department/name,workRole/name,workType/name,dispatchMember/identifier,serviceManagerMember/identifier,dutyManagerMember/identifier,timeEntryLockedFlag,closedLoopAllFlag"] {
        id: i64, name: String, inactive_flag: bool, project_flag: bool, location: Ref, department: Ref,
        work_role: Ref, work_type: Ref, dispatch_member: Ref, service_manager_member: Ref,
        duty_manager_member: Ref, time_entry_locked_flag: bool, closed_loop_all_flag: bool,
    }
);

model!(
    CompanySite ["CompanySite": "id,name,addressLine1,addressLine2,city,stateReference/identifier,zip,country/name,phoneNumber,inactiveFlag,primaryAddressFlag,defaultBillingFlag,defaultShippingFlag"] {
        id: i64, name: String, address_line1: String, address_line2: String, city: String,
        state_reference: Ref, zip: String, country: Ref, phone_number: String, inactive_flag: bool,
        primary_address_flag: bool, default_billing_flag: bool, default_shipping_flag: bool,
    }
);

model!(
    Invoice ["Invoice": "id,invoiceNumber,type,status/name,company/id,company/name,date,dueDate,total,balance,agreement/name,ticket/id,project/name,currency/currencyCode"] {
        id: i64, invoice_number: String, r#type: String, status: Ref, company: Ref, date: String,
        due_date: String, total: f64, balance: f64, agreement: Ref, ticket: Ref, project: Ref,
        currency: Currency,
    }
);

/// An invoice's currency.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Currency {
    pub currency_code: Option<String>,
}

model!(WorkRole ["WorkRole": "id,name,hourlyRate,inactiveFlag"] { id: i64, name: String, hourly_rate: f64, inactive_flag: bool });

model!(
    /// One member with what a dispatcher asks about them.
    MemberDetail ["Member": "id,identifier,firstName,lastName,title,inactiveFlag,licenseClass,primaryEmail,officeEmail,officePhone,mobilePhone,defaultEmail,defaultPhone,timeZone/name,workRole/name,workType/name,defaultLocation/name,defaultDepartment/name,reportsTo/identifier,timeApprover/identifier,serviceDefaultBoard/name,dailyCapacity,securityRole/name,hireDate"] {
        id: i64, identifier: String, first_name: String, last_name: String, title: String,
        inactive_flag: bool, license_class: String, primary_email: String, office_email: String,
        office_phone: String, mobile_phone: String, default_email: String, default_phone: String,
        time_zone: Ref, work_role: Ref, work_type: Ref, default_location: Ref, default_department: Ref,
        reports_to: Ref, time_approver: Ref, service_default_board: Ref, daily_capacity: f64,
        security_role: Ref, hire_date: String,
    }
);

model!(
    /// One agreement with its billing terms.
    AgreementDetail ["Agreement": "id,name,type/name,company/id,company/name,contact/name,startDate,endDate,noEndingDateFlag,cancelledFlag,agreementStatus,billAmount,applicationUnits,applicationLimit,applicationCycle,applicationUnlimitedFlag,billTime,billExpenses,billProducts,coverAgreementTime,carryOverUnused,allowOverruns,billingCycle/name,workRole/name,workType/name,sla/name,nextInvoiceDate,customerPO,parentAgreement/name"] {
        id: i64, name: String, r#type: Ref, company: Ref, contact: Ref, start_date: String, end_date: String,
        no_ending_date_flag: bool, cancelled_flag: bool, agreement_status: String, bill_amount: f64,
        application_units: String, application_limit: f64, application_cycle: String,
        application_unlimited_flag: bool, bill_time: String, bill_expenses: String, bill_products: String,
        cover_agreement_time: bool, carry_over_unused: bool, allow_overruns: bool, billing_cycle: Ref,
        work_role: Ref, work_type: Ref, sla: Ref, next_invoice_date: String, customer_p_o: String,
        parent_agreement: Ref,
    }
);

model!(MyAccount ["MyAccount": "id,identifier,firstName,lastName"] { id: i64, identifier: String, first_name: String, last_name: String });

model!(SystemInfo ["": ""] { version: String, is_cloud: bool, server_time_zone: String, cloud_region: String });

/// Every read view as (schema, `fields=` list), for the contract test.
pub const VIEWS: &[(&str, &str)] = &[
    (Ticket::SCHEMA, Ticket::FIELDS),
    (TicketDetail::SCHEMA, TicketDetail::FIELDS),
    (QueueTicket::SCHEMA, QueueTicket::FIELDS),
    (Note::SCHEMA, Note::FIELDS),
    (AllNote::SCHEMA, AllNote::FIELDS),
    (TimeEntry::SCHEMA, TimeEntry::FIELDS),
    (Company::SCHEMA, Company::FIELDS),
    (Contact::SCHEMA, Contact::FIELDS),
    (Configuration::SCHEMA, Configuration::FIELDS),
    (Member::SCHEMA, Member::FIELDS),
    (Board::SCHEMA, Board::FIELDS),
    (BoardStatus::SCHEMA, BoardStatus::FIELDS),
    (BoardType::SCHEMA, BoardType::FIELDS),
    (Priority::SCHEMA, Priority::FIELDS),
    (WorkType::SCHEMA, WorkType::FIELDS),
    (Opportunity::SCHEMA, Opportunity::FIELDS),
    (Agreement::SCHEMA, Agreement::FIELDS),
    (Project::SCHEMA, Project::FIELDS),
    (Activity::SCHEMA, Activity::FIELDS),
    (TimeSheet::SCHEMA, TimeSheet::FIELDS),
    (MyAccount::SCHEMA, MyAccount::FIELDS),
    (ScheduleEntry::SCHEMA, ScheduleEntry::FIELDS),
    (TicketTask::SCHEMA, TicketTask::FIELDS),
    (Source::SCHEMA, Source::FIELDS),
    (ServiceTeam::SCHEMA, ServiceTeam::FIELDS),
    (BoardTeam::SCHEMA, BoardTeam::FIELDS),
    (BoardDetail::SCHEMA, BoardDetail::FIELDS),
    (CompanySite::SCHEMA, CompanySite::FIELDS),
    (Invoice::SCHEMA, Invoice::FIELDS),
    (WorkRole::SCHEMA, WorkRole::FIELDS),
    (MemberDetail::SCHEMA, MemberDetail::FIELDS),
    (AgreementDetail::SCHEMA, AgreementDetail::FIELDS),
];

/// A new service ticket.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTicket {
    pub summary: String,
    pub company: Ref,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub board: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_internal_analysis: Option<String>,
    /// ConnectWise e-mails on ticket creation unless told not to.
    pub process_notifications: bool,
}

/// A new ticket note.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewNote {
    pub text: String,
    pub detail_description_flag: bool,
    pub internal_analysis_flag: bool,
    pub resolution_flag: bool,
    /// ConnectWise e-mails the contact or resources about a note unless this is false.
    pub process_notifications: bool,
}

/// A new time entry.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTimeEntry {
    pub charge_to_id: i64,
    pub charge_to_type: String,
    pub time_start: String,
    pub time_end: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_type: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billable_option: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_deduct: Option<f64>,
    pub add_to_detail_description_flag: bool,
    pub add_to_internal_analysis_flag: bool,
    pub add_to_resolution_flag: bool,
    pub email_resource_flag: bool,
    pub email_contact_flag: bool,
    pub email_cc_flag: bool,
}
