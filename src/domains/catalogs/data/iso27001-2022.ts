/**
 * ISO/IEC 27001:2022 as Muhafiz ships it: the management-system clauses
 * 4-10 and the 93 Annex A controls with their ISO/IEC 27002:2022 attribute
 * values (Table A.1 of ISO/IEC 27002:2022). Ids, titles and attribute values
 * are facts about the standard; every guidance sentence is our own wording,
 * not the standard's text.
 *
 * Two cells of the published table are normalised to the five attribute
 * vocabularies: 5.22 lists #Information_security_assurance under security
 * domains (it is an operational capability, so it is stored there) and 6.6
 * writes #Supplier_relationships (stored as supplier_relationships_security).
 */
import type { CatalogRequirementSeed } from '../model.js';

export const ISO27001_KEY = 'iso27001-2022';

export const ISO27001_FRAMEWORK = {
  key: ISO27001_KEY,
  name: 'ISO/IEC 27001:2022',
  version: '2022',
  publisher: 'ISO/IEC',
  description:
    'Information security management systems: requirements (clauses 4-10) and the Annex A reference controls, with the ISO/IEC 27002:2022 attributes of each control. Guidance is written by Muhafiz; read the standard for its text.',
  source: 'Muhafiz (src/domains/catalogs/data/iso27001-2022.ts): ids, titles and ISO/IEC 27002:2022 Table A.1 attribute values; guidance in our own words',
};

/** Controls introduced by the 2022 edition. */
export const NEW_IN_2022 = ['A.5.7', 'A.5.23', 'A.5.30', 'A.7.4', 'A.8.9', 'A.8.10', 'A.8.11', 'A.8.12', 'A.8.16', 'A.8.23', 'A.8.28'] as const;

/** The five ISO/IEC 27002:2022 attribute types and their values (vocabulary order). */
export const ISO27002_ATTRIBUTES = {
  control_type: ['preventive', 'detective', 'corrective'],
  information_security_properties: ['confidentiality', 'integrity', 'availability'],
  cybersecurity_concepts: ['identify', 'protect', 'detect', 'respond', 'recover'],
  operational_capabilities: [
    'governance',
    'asset_management',
    'information_protection',
    'human_resource_security',
    'physical_security',
    'system_and_network_security',
    'application_security',
    'secure_configuration',
    'identity_and_access_management',
    'threat_and_vulnerability_management',
    'continuity',
    'supplier_relationships_security',
    'legal_and_compliance',
    'information_security_event_management',
    'information_security_assurance',
  ],
  security_domains: ['governance_and_ecosystem', 'protection', 'defence', 'resilience'],
} as const;
export type Iso27002AttributeType = keyof typeof ISO27002_ATTRIBUTES;

export const THEMES = {
  '5': { key: 'organizational', title: 'Organizational controls' },
  '6': { key: 'people', title: 'People controls' },
  '7': { key: 'physical', title: 'Physical controls' },
  '8': { key: 'technological', title: 'Technological controls' },
} as const;

// Short codes used by the control table below, decoded by expand().
const TYPE = { P: 'preventive', D: 'detective', C: 'corrective' } as const;
const PROP = { C: 'confidentiality', I: 'integrity', A: 'availability' } as const;
const CONCEPT = { id: 'identify', pr: 'protect', de: 'detect', rs: 'respond', rc: 'recover' } as const;
const CAP = {
  gov: 'governance',
  asset: 'asset_management',
  info: 'information_protection',
  hr: 'human_resource_security',
  phys: 'physical_security',
  net: 'system_and_network_security',
  app: 'application_security',
  conf: 'secure_configuration',
  iam: 'identity_and_access_management',
  tvm: 'threat_and_vulnerability_management',
  cont: 'continuity',
  supp: 'supplier_relationships_security',
  legal: 'legal_and_compliance',
  event: 'information_security_event_management',
  assur: 'information_security_assurance',
} as const;
const DOMAIN = { gov: 'governance_and_ecosystem', prot: 'protection', def: 'defence', res: 'resilience' } as const;

/** [id, title, control types, properties, concepts, capabilities, domains, guidance] */
type Row = [string, string, string, string, string, string, string, string];

const CONTROLS: Row[] = [
  ['5.1', 'Policies for information security', 'P', 'CIA', 'id', 'gov', 'gov res', 'Keep a top-level security policy and topic policies that management approves, staff and relevant outsiders can find, and that are reviewed on a schedule and after major change.'],
  ['5.2', 'Information security roles and responsibilities', 'P', 'CIA', 'id', 'gov', 'gov prot res', 'Write down who is responsible for which security activity and asset, and make sure the people named know and accept it.'],
  ['5.3', 'Segregation of duties', 'P', 'CIA', 'pr', 'gov iam', 'gov', 'Split conflicting tasks (request, approve, execute, check) between different people so that no one can misuse a process alone; compensate with monitoring where a team is too small.'],
  ['5.4', 'Management responsibilities', 'P', 'CIA', 'id', 'gov', 'gov', 'Managers actively require their staff and contractors to follow the security policies and lead by example.'],
  ['5.5', 'Contact with authorities', 'P C', 'CIA', 'id pr rs rc', 'gov', 'def res', 'Know which regulators, law enforcement and emergency bodies to call, when, and who in the organisation makes the call; keep the contacts current.'],
  ['5.6', 'Contact with special interest groups', 'P C', 'CIA', 'pr rs rc', 'gov', 'def', 'Take part in sector forums, CERT communities and professional groups to learn of threats and good practice early and to get help during incidents.'],
  ['5.7', 'Threat intelligence', 'P D C', 'CIA', 'id de rs', 'tvm', 'def res', 'Collect and analyse information about threats relevant to the organisation (strategic, tactical, operational) and feed it into risk assessment, detection and response.'],
  ['5.8', 'Information security in project management', 'P', 'CIA', 'id pr', 'gov', 'gov prot', 'Make security requirements and risk assessment a standard step of every project, whatever its type, from start to hand-over.'],
  ['5.9', 'Inventory of information and other associated assets', 'P', 'CIA', 'id', 'asset', 'gov prot', 'Maintain an accurate inventory of information and the assets that hold or process it, each with an owner.'],
  ['5.10', 'Acceptable use of information and other associated assets', 'P', 'CIA', 'pr', 'asset info', 'gov prot', 'Publish and enforce rules for how information and assets may be used and handled according to their classification.'],
  ['5.11', 'Return of assets', 'P', 'CIA', 'pr', 'asset', 'prot', 'Recover equipment, media and information from people and suppliers when their employment, contract or agreement ends.'],
  ['5.12', 'Classification of information', 'P', 'CIA', 'id', 'info', 'prot def', 'Classify information by its confidentiality, integrity and availability needs and legal requirements, using a scheme everyone applies the same way.'],
  ['5.13', 'Labelling of information', 'P', 'CIA', 'pr', 'info', 'def prot', 'Mark information and media with their classification in a way people and systems can recognise, with defined exceptions.'],
  ['5.14', 'Information transfer', 'P', 'CIA', 'pr', 'asset info', 'prot', 'Set rules and agreements for moving information inside and outside the organisation by every channel (electronic, physical media, spoken).'],
  ['5.15', 'Access control', 'P', 'CIA', 'pr', 'iam', 'prot', 'Define access rules from business and security needs (need-to-know, least privilege) for information and systems, physical and logical.'],
  ['5.16', 'Identity management', 'P', 'CIA', 'pr', 'iam', 'prot', 'Manage identities over their whole life: unique per person or system, approved, reviewed, and removed when no longer needed.'],
  ['5.17', 'Authentication information', 'P', 'CIA', 'pr', 'iam', 'prot', 'Control how passwords, keys and other secrets are issued, changed, stored and used, and teach users to keep them secret.'],
  ['5.18', 'Access rights', 'P', 'CIA', 'pr', 'iam', 'prot', 'Grant, review, change and revoke access rights through an approved process aligned with the access policy.'],
  ['5.19', 'Information security in supplier relationships', 'P', 'CIA', 'id', 'supp', 'gov prot', "Identify the risks that come with each supplier's products and services and apply agreed processes to manage them."],
  ['5.20', 'Addressing information security within supplier agreements', 'P', 'CIA', 'id', 'supp', 'gov prot', 'Put the security requirements that fit each supplier relationship into the contract.'],
  ['5.21', 'Managing information security in the ICT supply chain', 'P', 'CIA', 'id', 'supp', 'gov prot', 'Extend security requirements down the ICT product and service supply chain, including sub-suppliers and components.'],
  ['5.22', 'Monitoring, review and change management of supplier services', 'P', 'CIA', 'id', 'supp assur', 'gov prot def', "Monitor and review suppliers' security practice and service delivery regularly and manage changes to their services."],
  ['5.23', 'Information security for use of cloud services', 'P', 'CIA', 'pr', 'supp', 'gov prot', 'Set how cloud services are chosen, used, managed and exited, with clear shared responsibilities.'],
  ['5.24', 'Information security incident management planning and preparation', 'C', 'CIA', 'rs rc', 'gov event', 'def', 'Prepare the incident process before it is needed: roles, procedures, reporting channels, contacts and training.'],
  ['5.25', 'Assessment and decision on information security events', 'D', 'CIA', 'de rs', 'event', 'def', 'Triage reported events against agreed criteria and decide whether each is an incident.'],
  ['5.26', 'Response to information security incidents', 'C', 'CIA', 'rs rc', 'event', 'def', 'Handle incidents by the documented procedures: contain, eradicate, recover, communicate and record.'],
  ['5.27', 'Learning from information security incidents', 'P', 'CIA', 'id pr', 'event', 'def', 'Use what incidents teach to strengthen controls and reduce the chance or impact of repeats.'],
  ['5.28', 'Collection of evidence', 'C', 'CIA', 'de rs', 'event', 'def', 'Identify, collect, preserve and keep the chain of custody of evidence so that it holds up for disciplinary or legal action.'],
  ['5.29', 'Information security during disruption', 'P C', 'CIA', 'pr rs', 'cont', 'prot res', 'Plan how security is kept at an appropriate level while the organisation is disrupted or in crisis.'],
  ['5.30', 'ICT readiness for business continuity', 'C', 'A', 'rs', 'cont', 'res', 'Plan, implement and test ICT continuity so that systems recover within the times the business continuity objectives require.'],
  ['5.31', 'Legal, statutory, regulatory and contractual requirements', 'P', 'CIA', 'id', 'legal', 'gov prot', 'Identify and keep up to date the laws, regulations and contracts that bear on security and how the organisation meets them.'],
  ['5.32', 'Intellectual property rights', 'P', 'CIA', 'id', 'legal', 'gov', 'Protect intellectual property, including software licences, and respect the rights of others.'],
  ['5.33', 'Protection of records', 'P', 'CIA', 'id pr', 'legal asset info', 'def', 'Keep records safe from loss, destruction, falsification and unauthorised access or release for as long as they must be kept.'],
  ['5.34', 'Privacy and protection of PII', 'P', 'CIA', 'id pr', 'info legal', 'prot', 'Meet the privacy and personal-data protection obligations that apply to the organisation.'],
  ['5.35', 'Independent review of information security', 'P C', 'CIA', 'id pr', 'assur', 'gov', 'Have the approach to security and its implementation reviewed independently at planned intervals and after significant change.'],
  ['5.36', 'Compliance with policies, rules and standards for information security', 'P', 'CIA', 'id pr', 'legal assur', 'gov', 'Check regularly that policies, rules and standards are actually followed and act on deviations.'],
  ['5.37', 'Documented operating procedures', 'P C', 'CIA', 'pr rc', 'asset phys net app conf iam tvm cont event', 'gov prot def', 'Document how information processing facilities are operated and make the procedures available to those who need them.'],
  ['6.1', 'Screening', 'P', 'CIA', 'pr', 'hr', 'gov', 'Check candidates before they join and, where justified, during employment, in proportion to the role, the information accessed and the law.'],
  ['6.2', 'Terms and conditions of employment', 'P', 'CIA', 'pr', 'hr', 'gov', "State the employee's and the organisation's security responsibilities in the employment contract."],
  ['6.3', 'Information security awareness, education and training', 'P', 'CIA', 'pr', 'hr', 'gov', 'Give staff and relevant parties awareness and training that fit their role, and refresh it regularly.'],
  ['6.4', 'Disciplinary process', 'P C', 'CIA', 'pr rs', 'hr', 'gov', 'Have a known, fair disciplinary process for policy violations.'],
  ['6.5', 'Responsibilities after termination or change of employment', 'P', 'CIA', 'pr', 'hr asset', 'gov', 'Tell leavers and movers which security duties stay in force and enforce them.'],
  ['6.6', 'Confidentiality or non-disclosure agreements', 'P', 'C', 'pr', 'hr info supp', 'gov', 'Use confidentiality agreements that reflect what needs protecting, have the right people sign them and review them regularly.'],
  ['6.7', 'Remote working', 'P', 'CIA', 'pr', 'asset info phys net', 'prot', 'Protect information accessed, processed or stored outside the premises with rules and technical measures for remote work.'],
  ['6.8', 'Information security event reporting', 'D', 'CIA', 'de', 'event', 'def', 'Give people a quick, easy channel to report security events they notice, and make reporting expected.'],
  ['7.1', 'Physical security perimeters', 'P', 'CIA', 'pr', 'phys', 'prot', 'Define and build perimeters around areas that hold information and processing facilities.'],
  ['7.2', 'Physical entry', 'P', 'CIA', 'pr', 'phys iam', 'prot', 'Control who can enter secure areas with entry controls and access points.'],
  ['7.3', 'Securing offices, rooms and facilities', 'P', 'CIA', 'pr', 'phys asset', 'prot', 'Design and apply physical protection to offices, rooms and facilities.'],
  ['7.4', 'Physical security monitoring', 'P D', 'CIA', 'pr de', 'phys', 'prot def', 'Watch premises continuously (guards, alarms, cameras) to detect unauthorised physical access.'],
  ['7.5', 'Protecting against physical and environmental threats', 'P', 'CIA', 'pr', 'phys', 'prot', 'Design protection against fire, flood, earthquake, power loss and other physical or environmental threats, natural or deliberate.'],
  ['7.6', 'Working in secure areas', 'P', 'CIA', 'pr', 'phys', 'prot', 'Set and enforce rules for working in secure areas.'],
  ['7.7', 'Clear desk and clear screen', 'P', 'C', 'pr', 'phys', 'prot', 'Keep papers, removable media and unattended screens clear of information others should not see.'],
  ['7.8', 'Equipment siting and protection', 'P', 'CIA', 'pr', 'phys asset', 'prot', 'Place and protect equipment to reduce physical and environmental risks and unauthorised access.'],
  ['7.9', 'Security of assets off-premises', 'P', 'CIA', 'pr', 'phys asset', 'prot', 'Protect devices and information taken or kept outside the premises.'],
  ['7.10', 'Storage media', 'P', 'CIA', 'pr', 'phys asset', 'prot', 'Manage storage media through acquisition, use, transport and disposal according to the classification scheme.'],
  ['7.11', 'Supporting utilities', 'P D', 'IA', 'pr de', 'phys', 'prot', 'Protect processing facilities from power failures and other disruptions of supporting utilities.'],
  ['7.12', 'Cabling security', 'P', 'CA', 'pr', 'phys', 'prot', 'Protect power and data cables from interception, interference and damage.'],
  ['7.13', 'Equipment maintenance', 'P', 'CIA', 'pr', 'phys asset', 'prot res', 'Maintain equipment correctly so that information stays available, intact and confidential.'],
  ['7.14', 'Secure disposal or re-use of equipment', 'P', 'C', 'pr', 'phys asset', 'prot', 'Remove or securely overwrite sensitive data and licensed software before equipment is disposed of or re-used.'],
  ['8.1', 'User endpoint devices', 'P', 'CIA', 'pr', 'asset info', 'prot', 'Protect information stored on, processed by or reachable through laptops, phones and other user devices.'],
  ['8.2', 'Privileged access rights', 'P', 'CIA', 'pr', 'iam', 'prot', 'Restrict and manage the allocation and use of privileged access.'],
  ['8.3', 'Information access restriction', 'P', 'CIA', 'pr', 'iam', 'prot', 'Restrict access to information and application functions according to the access control policy.'],
  ['8.4', 'Access to source code', 'P', 'CIA', 'pr', 'iam app conf', 'prot', 'Manage read and write access to source code, development tools and software libraries.'],
  ['8.5', 'Secure authentication', 'P', 'CIA', 'pr', 'iam', 'prot', 'Use authentication technology and procedures that fit the sensitivity of what is accessed, such as multi-factor authentication.'],
  ['8.6', 'Capacity management', 'P D', 'IA', 'id pr de', 'cont', 'gov prot', 'Monitor and adjust the use of resources to meet current and expected capacity needs.'],
  ['8.7', 'Protection against malware', 'P D C', 'CIA', 'pr de', 'net info', 'prot def', 'Combine technical malware defences with user awareness.'],
  ['8.8', 'Management of technical vulnerabilities', 'P', 'CIA', 'id pr', 'tvm', 'gov prot def', 'Learn about technical vulnerabilities of systems in use, assess exposure and act on it in time.'],
  ['8.9', 'Configuration management', 'P', 'CIA', 'pr', 'conf', 'prot', 'Establish, document, apply, monitor and review secure configurations of hardware, software, services and networks.'],
  ['8.10', 'Information deletion', 'P', 'C', 'pr', 'info legal', 'prot', 'Delete information from systems, devices and services once it is no longer needed.'],
  ['8.11', 'Data masking', 'P', 'C', 'pr', 'info', 'prot', 'Mask, pseudonymise or anonymise data where policy, business need or law requires it.'],
  ['8.12', 'Data leakage prevention', 'P D', 'C', 'pr de', 'info', 'prot def', 'Apply leakage prevention to systems, networks and devices that handle sensitive information.'],
  ['8.13', 'Information backup', 'C', 'IA', 'rc', 'cont', 'prot', 'Take and regularly test backups of information, software and systems according to an agreed backup policy.'],
  ['8.14', 'Redundancy of information processing facilities', 'P', 'A', 'pr', 'cont asset', 'prot res', 'Build enough redundancy into processing facilities to meet availability requirements.'],
  ['8.15', 'Logging', 'D', 'CIA', 'de', 'event', 'prot def', 'Produce, store, protect and analyse logs of activities, exceptions, faults and other relevant events.'],
  ['8.16', 'Monitoring activities', 'D C', 'CIA', 'de rs', 'event', 'def', 'Monitor networks, systems and applications for anomalous behaviour and act to evaluate possible incidents.'],
  ['8.17', 'Clock synchronization', 'D', 'I', 'pr de', 'event', 'prot def', 'Synchronise system clocks to approved time sources so that events can be correlated.'],
  ['8.18', 'Use of privileged utility programs', 'P', 'CIA', 'pr', 'net conf app', 'prot', 'Restrict and tightly control utility programs able to override system and application controls.'],
  ['8.19', 'Installation of software on operational systems', 'P', 'CIA', 'pr', 'conf app', 'prot', 'Control software installation on operational systems securely.'],
  ['8.20', 'Networks security', 'P D', 'CIA', 'pr de', 'net', 'prot', 'Secure, manage and control networks and network devices to protect information in systems and applications.'],
  ['8.21', 'Security of network services', 'P', 'CIA', 'pr', 'net', 'prot', 'Identify, implement and monitor the security mechanisms, service levels and requirements of network services.'],
  ['8.22', 'Segregation of networks', 'P', 'CIA', 'pr', 'net', 'prot', 'Separate groups of services, users and systems into network segments.'],
  ['8.23', 'Web filtering', 'P', 'CIA', 'pr', 'net', 'prot', 'Manage access to external websites to reduce exposure to malicious content.'],
  ['8.24', 'Use of cryptography', 'P', 'CIA', 'pr', 'conf', 'prot', 'Set and apply rules for using cryptography well, including key management.'],
  ['8.25', 'Secure development life cycle', 'P', 'CIA', 'pr', 'app net', 'prot', 'Set and apply rules for the secure development of software and systems.'],
  ['8.26', 'Application security requirements', 'P', 'CIA', 'pr', 'app net', 'prot def', 'Identify, specify and approve security requirements when developing or acquiring applications.'],
  ['8.27', 'Secure system architecture and engineering principles', 'P', 'CIA', 'pr', 'app net', 'prot', 'Establish, document, maintain and apply principles for engineering secure systems.'],
  ['8.28', 'Secure coding', 'P', 'CIA', 'pr', 'app net', 'prot', 'Apply secure coding principles to software development.'],
  ['8.29', 'Security testing in development and acceptance', 'P', 'CIA', 'id', 'app assur net', 'prot', 'Define and carry out security testing during development and before acceptance.'],
  ['8.30', 'Outsourced development', 'P D', 'CIA', 'id pr de', 'net app supp', 'gov prot', 'Direct, monitor and review outsourced system development.'],
  ['8.31', 'Separation of development, test and production environments', 'P', 'CIA', 'pr', 'app net', 'prot', 'Keep development, test and production environments apart and secure each.'],
  ['8.32', 'Change management', 'P', 'CIA', 'pr', 'app net', 'prot', 'Put changes to processing facilities and systems through change management.'],
  ['8.33', 'Test information', 'P', 'CI', 'pr', 'info', 'prot', 'Choose, protect and manage test information appropriately.'],
  ['8.34', 'Protection of information systems during audit testing', 'P', 'CIA', 'pr', 'net info', 'gov prot', 'Plan and agree audit tests and other assurance activities on operational systems with the right management.'],
];

/** [ref, title, guidance]; the parent is the ref without its last segment. */
const CLAUSES: Array<[string, string, string]> = [
  ['4', 'Context of the organization', 'Understand where the ISMS sits: the organisation, the parties that matter and the scope.'],
  ['4.1', 'Understanding the organization and its context', 'Identify the internal and external issues that affect what the ISMS must achieve.'],
  ['4.2', 'Understanding the needs and expectations of interested parties', 'List the parties that matter to information security, their requirements, and which of them the ISMS will address.'],
  ['4.3', 'Determining the scope of the information security management system', 'Decide and document the boundaries of the ISMS, taking account of issues, requirements and interfaces with others.'],
  ['4.4', 'Information security management system', 'Establish, run, maintain and keep improving the ISMS and its processes.'],
  ['5', 'Leadership', 'Top management owns the ISMS and shows it.'],
  ['5.1', 'Leadership and commitment', 'Top management aligns the ISMS with strategy, funds it, integrates it into business processes and promotes improvement.'],
  ['5.2', 'Policy', 'Top management sets an information security policy with objectives (or a frame for them) and commitments, and communicates it.'],
  ['5.3', 'Organizational roles, responsibilities and authorities', 'Assign and communicate who is responsible for the ISMS conforming and for reporting its performance.'],
  ['6', 'Planning', 'Plan how risks and opportunities are handled, which objectives are set and how changes are made.'],
  ['6.1', 'Actions to address risks and opportunities', 'Plan actions for the risks and opportunities that could affect the ISMS outcomes.'],
  ['6.1.1', 'General', 'Consider issues and requirements when deciding which risks and opportunities need action, and plan how to integrate and evaluate those actions.'],
  ['6.1.2', 'Information security risk assessment', 'Define and apply a repeatable risk assessment process with acceptance criteria, risk owners, analysis and evaluation.'],
  ['6.1.3', 'Information security risk treatment', 'Choose treatment options, determine the controls needed, compare them with Annex A, produce a Statement of Applicability and a treatment plan approved by risk owners.'],
  ['6.2', 'Information security objectives and planning to achieve them', 'Set measurable security objectives at relevant functions and levels and plan what, who, when and how they are achieved.'],
  ['6.3', 'Planning of changes', 'Make changes to the ISMS in a planned way.'],
  ['7', 'Support', 'Provide the resources, competence, awareness, communication and documented information the ISMS needs.'],
  ['7.1', 'Resources', 'Provide what is needed to establish, run and improve the ISMS.'],
  ['7.2', 'Competence', 'Determine the competence needed, make sure people have it, and keep evidence.'],
  ['7.3', 'Awareness', 'People working under the organisation’s control know the policy, their contribution and what non-conformity implies.'],
  ['7.4', 'Communication', 'Decide what to communicate about security, when, to whom and how.'],
  ['7.5', 'Documented information', 'Keep the documented information the standard and the ISMS need.'],
  ['7.5.1', 'General', 'Include the documents the standard requires and those the organisation judges necessary.'],
  ['7.5.2', 'Creating and updating', 'Identify, format, review and approve documents appropriately.'],
  ['7.5.3', 'Control of documented information', 'Keep documents available, protected, distributed, stored, versioned, retained and disposed of under control, including external ones.'],
  ['8', 'Operation', 'Run the processes planned in clause 6.'],
  ['8.1', 'Operational planning and control', 'Plan, implement and control the processes, including outsourced ones, and keep evidence that they ran as planned.'],
  ['8.2', 'Information security risk assessment', 'Assess risks at planned intervals and when significant change happens; keep the results.'],
  ['8.3', 'Information security risk treatment', 'Carry out the risk treatment plan and keep the results.'],
  ['9', 'Performance evaluation', 'Monitor, measure, audit and review the ISMS.'],
  ['9.1', 'Monitoring, measurement, analysis and evaluation', 'Decide what is measured, how, when and by whom, and evaluate security performance and ISMS effectiveness.'],
  ['9.2', 'Internal audit', 'Audit the ISMS at planned intervals.'],
  ['9.2.1', 'General', 'Internal audits show whether the ISMS conforms to the organisation’s and the standard’s requirements and is effectively implemented.'],
  ['9.2.2', 'Internal audit programme', 'Plan audit frequency, methods, responsibilities and reporting; choose objective auditors; report results to management.'],
  ['9.3', 'Management review', 'Top management reviews the ISMS at planned intervals.'],
  ['9.3.1', 'General', 'Review whether the ISMS remains suitable, adequate and effective.'],
  ['9.3.2', 'Management review inputs', 'Cover previous actions, changes, feedback on performance, interested parties, risk results and improvement opportunities.'],
  ['9.3.3', 'Management review results', 'Record decisions on improvement and any needed changes to the ISMS.'],
  ['10', 'Improvement', 'Keep improving the ISMS and correct what went wrong.'],
  ['10.1', 'Continual improvement', 'Continually improve the suitability, adequacy and effectiveness of the ISMS.'],
  ['10.2', 'Nonconformity and corrective action', 'React to nonconformities, find their causes, correct them, check effectiveness and keep records.'],
];

function decode<T extends Record<string, string>>(codes: string, table: T, split: boolean): string[] {
  const parts = split ? codes.split(' ') : [...codes];
  return parts.map((c) => {
    const v = table[c];
    if (!v) throw new Error(`unknown attribute code ${c}`);
    return v;
  });
}

/** The ISO/IEC 27001:2022 requirement tree in display order: clauses 4-10, then Annex A themes and controls. */
export function iso27001Requirements(): CatalogRequirementSeed[] {
  const out: CatalogRequirementSeed[] = [];
  for (const [ref, title, guidance] of CLAUSES) {
    const parent = ref.includes('.') ? ref.slice(0, ref.lastIndexOf('.')) : null;
    out.push({ ref, parentRef: parent, kind: 'clause', title, guidance, statement: '', theme: null, isNew: false, attributes: {} });
  }
  const isNew = new Set<string>(NEW_IN_2022);
  for (const [n, theme] of Object.entries(THEMES)) {
    out.push({ ref: `A.${n}`, parentRef: null, kind: 'theme', title: theme.title, guidance: '', statement: '', theme: theme.key, isNew: false, attributes: {} });
    for (const [id, title, type, props, concepts, caps, domains, guidance] of CONTROLS.filter((c) => c[0].startsWith(`${n}.`))) {
      const ref = `A.${id}`;
      out.push({
        ref,
        parentRef: `A.${n}`,
        kind: 'control',
        title,
        guidance,
        statement: '',
        theme: theme.key,
        isNew: isNew.has(ref),
        attributes: {
          control_type: decode(type, TYPE, true),
          information_security_properties: decode(props, PROP, false),
          cybersecurity_concepts: decode(concepts, CONCEPT, true),
          operational_capabilities: decode(caps, CAP, true),
          security_domains: decode(domains, DOMAIN, true),
        },
      });
    }
  }
  return out;
}
